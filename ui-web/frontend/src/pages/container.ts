/// The container page: everything known about one container, why it scored what it did, its
/// workflow with the actions this user may take, the inspection outcome and its scan images.

import type { PageContext } from '../app';
import { get, post } from '../api/client';
import type {
    Attachment,
    Container,
    Outcome,
    SharedAlert,
    SharedOutcome,
    Vocabulary,
    WorkflowState,
} from '../api/types';
import { analysisRegions } from '../api/types';
import { field, h, mount, select } from '../dom';
import { subscribe } from '../events';
import { count, countdown, number, todayUtc, when } from '../format';
import { t, word } from '../i18n';
import { user } from '../session';
import { facts, laneBadge, loading, problemsBox, stateBadge, table } from '../ui';

let vocabularyCache: Promise<Vocabulary> | null = null;

/// The server's vocabulary (lanes, CEN categories, units...), fetched once per page load.
export function vocabulary(): Promise<Vocabulary> {
    vocabularyCache ??= get<Vocabulary>('/api/vocabulary').catch((error: unknown) => {
        vocabularyCache = null;
        throw error;
    });
    return vocabularyCache;
}

function options(group: string, codes: string[]): Array<[string, string]> {
    return codes.map((code) => [code, word(group, code)]);
}

function factorBar(points: number, max: number): HTMLElement {
    const width = max > 0 ? Math.min(100, (Math.abs(points) / max) * 100) : 0;
    const sign = points > 0 ? '+' : points < 0 ? '−' : '±';
    return h(
        'span',
        { class: 'factor-bar' },
        h('span', {
            class: `bar ${points >= 0 ? 'up' : 'down'}`,
            style: `width:${(width * 0.07).toFixed(2)}rem`,
            'aria-hidden': 'true',
        }),
        h('span', { class: 'points' }, `${sign}${number(Math.abs(points))}`),
    );
}

function scoreSection(container: Container): HTMLElement {
    const score = container.score;
    if (!score)
        return h(
            'section',
            { class: 'card' },
            h('h2', null, t('container.score_title')),
            h('p', null, t('container.not_scored')),
        );
    const all = [
        ...score.factors.map((f) => f.points),
        ...container.watchlist_hits.map((w) => w.points),
    ];
    const max = Math.max(1, ...all.map(Math.abs));
    return h(
        'section',
        { class: 'card', 'data-testid': 'score' },
        h('h2', null, t('container.score_title')),
        h(
            'p',
            { class: 'big' },
            t('container.score_line', {
                score: number(score.score),
                source: word('source', score.main_source),
            }),
        ),
        h('p', { class: 'muted' }, t('container.scored_at', { at: when(score.scored_at) })),
        h('h3', null, t('container.factors')),
        score.factors.length === 0
            ? h('p', null, t('container.no_factors'))
            : h(
                  'ul',
                  { class: 'factors' },
                  score.factors.map((factor) =>
                      h(
                          'li',
                          {
                              'data-testid': 'factor',
                              'data-kind': factor.kind,
                              class: factor.kind === 'alert' ? 'factor-alert' : null,
                          },
                          // an alert's text names the port it came from ("Alert from ...")
                          h('span', { class: 'factor-text' }, factor.text),
                          factorBar(factor.points, max),
                      ),
                  ),
              ),
        container.watchlist_hits.length
            ? [
                  h('h3', null, t('container.watchlist_hits')),
                  h(
                      'ul',
                      { class: 'factors' },
                      container.watchlist_hits.map((hit) =>
                          h(
                              'li',
                              { 'data-testid': 'watchlist-hit' },
                              h('span', { class: 'factor-text' }, hit.text),
                              factorBar(hit.points, max),
                          ),
                      ),
                  ),
              ]
            : null,
    );
}

function stateSection(state: WorkflowState, container: Container): HTMLElement {
    return h(
        'section',
        { class: 'card', 'data-testid': 'workflow' },
        h('h2', null, t('container.workflow_title')),
        h('p', { class: 'big' }, stateBadge(state.state), ' ', laneBadge(state.lane)),
        facts([
            [t('container.source'), word('source', state.source)],
            [t('container.reason'), state.reason || t('common.none')],
            [
                t('container.updated'),
                state.updated_by
                    ? t('container.updated_by', {
                          who: state.updated_by,
                          at: when(state.updated_at),
                      })
                    : t('common.none'),
            ],
        ]),
        container.transitions.length
            ? table(
                  t('container.transitions'),
                  [
                      t('container.col_at'),
                      t('container.col_action'),
                      t('container.col_from_to'),
                      t('container.col_actor'),
                      t('container.reason'),
                  ],
                  container.transitions.map((tr) =>
                      h(
                          'tr',
                          { 'data-testid': 'transition' },
                          h('td', null, when(tr.at)),
                          h('td', null, word('action', tr.action)),
                          h(
                              'td',
                              null,
                              `${word('state', tr.from_state)} → ${word('state', tr.to_state)}`,
                          ),
                          h('td', null, tr.actor),
                          h('td', null, tr.reason || ''),
                      ),
                  ),
              )
            : null,
    );
}

function outcomeSection(outcome: Outcome): HTMLElement {
    const seizure = outcome.result === 'seizure' || outcome.seizure === true;
    const pairs: Array<[string, string]> = [
        [t('outcome.result'), seizure ? t('outcome.result_seizure') : t('outcome.result_no_find')],
        [t('outcome.inspected_on'), outcome.inspected_on ?? ''],
        [t('outcome.method'), word('method', outcome.method ?? '')],
    ];
    if (seizure) {
        pairs.push(
            [t('outcome.category'), word('category', outcome.category ?? '')],
            [t('outcome.description'), outcome.description ?? ''],
            [
                t('outcome.quantity'),
                outcome.quantity !== undefined && outcome.quantity !== null
                    ? `${number(outcome.quantity)} ${word('unit', outcome.unit ?? '')}`
                    : t('common.none'),
            ],
            [t('outcome.concealment'), word('concealment', outcome.concealment ?? '')],
            [t('outcome.detection'), word('detection', outcome.detection ?? '')],
            [t('outcome.place'), outcome.place ?? ''],
        );
    }
    if (outcome.notes) pairs.push([t('outcome.notes'), outcome.notes]);
    if (outcome.recorded_by)
        pairs.push([
            t('outcome.recorded'),
            t('container.updated_by', { who: outcome.recorded_by, at: when(outcome.recorded_at) }),
        ]);
    return h(
        'section',
        { class: 'card', 'data-testid': 'outcome' },
        h('h2', null, t('outcome.title')),
        facts(pairs),
    );
}

function outcomeForm(
    vocab: Vocabulary,
    submit: (body: Record<string, unknown>) => Promise<void>,
): HTMLElement {
    const result = select({ name: 'result', 'data-testid': 'outcome-result' }, [
        ['no_find', t('outcome.result_no_find')],
        ['seizure', t('outcome.result_seizure')],
    ]);
    const inspectedOn = h('input', {
        type: 'date',
        name: 'inspected_on',
        required: true,
        value: todayUtc(),
        'data-testid': 'outcome-inspected-on',
    });
    const method = select(
        { name: 'method', 'data-testid': 'outcome-method' },
        options('method', vocab.methods),
    );
    const category = select(
        { name: 'category', 'data-testid': 'outcome-category' },
        options('category', vocab.categories),
    );
    const description = h('input', { name: 'description', 'data-testid': 'outcome-description' });
    const quantity = h('input', {
        type: 'number',
        name: 'quantity',
        min: '0',
        step: 'any',
        inputmode: 'decimal',
        'data-testid': 'outcome-quantity',
    });
    const unit = select(
        { name: 'unit', 'data-testid': 'outcome-unit' },
        options('unit', vocab.units),
    );
    const concealment = select(
        { name: 'concealment', 'data-testid': 'outcome-concealment' },
        options('concealment', vocab.concealments),
    );
    const detection = select(
        { name: 'detection', 'data-testid': 'outcome-detection' },
        options('detection', vocab.detections),
    );
    const place = h('input', {
        name: 'place',
        'data-testid': 'outcome-place',
        placeholder: t('outcome.place_placeholder'),
    });
    const notes = h('textarea', { name: 'notes', rows: '3', 'data-testid': 'outcome-notes' });
    const seizureFields = h(
        'fieldset',
        { class: 'seizure-fields', hidden: true, 'data-testid': 'seizure-fields' },
        h('legend', null, t('outcome.seizure_legend')),
        field(t('outcome.category'), category),
        field(t('outcome.description'), description),
        h(
            'div',
            { class: 'row' },
            field(t('outcome.quantity'), quantity),
            field(t('outcome.unit'), unit),
        ),
        field(t('outcome.concealment'), concealment),
        field(t('outcome.detection'), detection),
        field(t('outcome.place'), place),
    );
    const toggle = () => {
        const seizure = result.value === 'seizure';
        seizureFields.hidden = !seizure;
        description.required = seizure;
        quantity.required = seizure;
    };
    result.addEventListener('change', toggle);
    return h(
        'form',
        {
            class: 'action-form',
            'data-testid': 'outcome-form',
            onsubmit: async (event: Event) => {
                event.preventDefault();
                const seizure = result.value === 'seizure';
                const outcome: Record<string, unknown> = {
                    seizure,
                    inspected_on: inspectedOn.value,
                    method: method.value,
                    notes: notes.value.trim(),
                };
                if (seizure)
                    Object.assign(outcome, {
                        category: category.value,
                        description: description.value.trim(),
                        quantity: Number(quantity.value),
                        unit: unit.value,
                        concealment: concealment.value,
                        detection: detection.value,
                        place: place.value.trim(),
                    });
                await submit({ action: 'record_outcome', outcome });
            },
        },
        h('h3', null, t('action.record_outcome')),
        field(t('outcome.result'), result),
        field(t('outcome.inspected_on'), inspectedOn),
        field(t('outcome.method'), method),
        seizureFields,
        field(t('outcome.notes'), notes),
        h('button', { type: 'submit', 'data-testid': 'outcome-submit' }, t('outcome.submit')),
    );
}

/// The form for one action: lane + reason for select, a reason for release/order_exam/refer,
/// a confirmation for the rest, the CEN form for record_outcome.
function actionForm(
    action: string,
    vocab: Vocabulary,
    submit: (body: Record<string, unknown>) => Promise<void>,
): HTMLElement {
    if (action === 'record_outcome') return outcomeForm(vocab, submit);
    const needsLane = action === 'select';
    const needsReason = ['select', 'release', 'order_exam', 'refer'].includes(action);
    const lane = select(
        { name: 'lane', 'data-testid': 'action-lane' },
        options('lane', vocab.lanes),
    );
    const reason = h('textarea', {
        name: 'reason',
        rows: '2',
        required: needsReason,
        'data-testid': 'action-reason',
    });
    return h(
        'form',
        {
            class: 'action-form',
            'data-testid': `form-${action}`,
            onsubmit: async (event: Event) => {
                event.preventDefault();
                const body: Record<string, unknown> = { action };
                if (needsLane) body.lane = lane.value;
                const text = reason.value.trim();
                if (needsReason || text) body.reason = text;
                await submit(body);
            },
        },
        h('h3', null, word('action', action)),
        needsLane ? field(t('action.lane'), lane) : null,
        field(needsReason ? t('action.reason') : t('action.reason_optional'), reason),
        h(
            'button',
            { type: 'submit', 'data-testid': 'action-confirm' },
            t('action.confirm', { action: word('action', action) }),
        ),
    );
}

function actionsSection(
    container: Container,
    vocab: Vocabulary | null,
    reload: () => Promise<void>,
): HTMLElement {
    const problems = problemsBox();
    const formArea = h('div', { class: 'form-area' });
    const done = h('p', {
        class: 'done',
        role: 'status',
        tabindex: '-1',
        'data-testid': 'action-done',
    });
    const submit = async (body: Record<string, unknown>) => {
        problems.clear();
        const buttons = formArea.querySelectorAll('button');
        buttons.forEach((button) => (button.disabled = true));
        try {
            const state = await post<WorkflowState | { state: WorkflowState }>(
                `/api/containers/${container.container_id}/actions`,
                body,
            );
            const stateName =
                typeof (state as { state: unknown }).state === 'string'
                    ? (state as WorkflowState).state
                    : (state as { state: WorkflowState }).state?.state;
            await reload();
            // the page was redrawn: say what happened where the buttons are, and keep focus there
            const message = document.querySelector<HTMLElement>('[data-testid="action-done"]');
            if (message) {
                message.textContent = t('action.done', {
                    action: word('action', String(body.action)),
                    state: word('state', stateName ?? ''),
                });
                message.focus();
            }
        } catch (error) {
            problems.show(error);
            buttons.forEach((button) => (button.disabled = false));
        }
    };
    const allowed = container.allowed_actions ?? [];
    return h(
        'section',
        { class: 'card actions', 'data-testid': 'actions' },
        h('h2', null, t('container.actions_title')),
        done,
        allowed.length === 0
            ? h('p', { class: 'muted', 'data-testid': 'no-actions' }, t('container.no_actions'))
            : h(
                  'div',
                  { class: 'buttons' },
                  allowed.map((action) =>
                      h(
                          'button',
                          {
                              type: 'button',
                              class: action === 'release' || action === 'clear' ? 'secondary' : '',
                              'data-testid': `action-${action}`,
                              onclick: () => {
                                  problems.clear();
                                  if (!vocab) return;
                                  mount(formArea, actionForm(action, vocab, submit));
                                  formArea
                                      .querySelector<HTMLElement>('select, input, textarea, button')
                                      ?.focus();
                              },
                          },
                          word('action', action),
                      ),
                  ),
              ),
        formArea,
        problems.element,
    );
}

function detailsSection(container: Container): HTMLElement {
    const call = container.vessel_call;
    return h(
        'section',
        { class: 'card', 'data-testid': 'details' },
        h('h2', null, t('container.details_title')),
        facts([
            [t('container.size_type'), container.size_type || t('common.none')],
            [t('container.load_status'), word('load_status', container.load_status)],
            [t('container.gross_mass'), t('common.kg', { value: number(container.gross_mass_kg) })],
            [t('container.tare_mass'), t('common.kg', { value: number(container.tare_mass_kg) })],
            [
                t('container.seals'),
                container.seals.length ? container.seals.join(', ') : t('common.none'),
            ],
        ]),
        call
            ? [
                  h('h3', null, t('container.vessel_call')),
                  facts([
                      [
                          t('container.vessel'),
                          t('container.vessel_line', {
                              name: call.vessel_name,
                              imo: call.imo || '–',
                              voyage: call.voyage || '–',
                          }),
                      ],
                      [t('container.carrier'), call.carrier || t('common.none')],
                      [t('container.eta'), `${when(call.eta)} (${countdown(call.eta)})`],
                      [t('container.last_port'), call.last_port || t('common.none')],
                      [t('container.port_of_call'), call.port_of_call || t('common.none')],
                  ]),
              ]
            : null,
    );
}

function consignmentSection(container: Container): HTMLElement[] {
    return container.consignments.map((consignment, index) => {
        const route = consignment.route;
        const legs = [
            route.place_of_receipt,
            route.port_of_loading,
            ...(route.transshipment_ports ?? []),
            route.port_of_discharge,
            route.place_of_delivery,
        ].filter(Boolean);
        return h(
            'section',
            { class: 'card', 'data-testid': 'consignment' },
            h(
                'h2',
                null,
                t('container.consignment_title', {
                    n: index + 1,
                    bl: consignment.master_bl || '–',
                }),
            ),
            facts([
                [t('container.master_bl'), consignment.master_bl || t('common.none')],
                [t('container.house_bl'), consignment.house_bl || t('common.none')],
                [t('container.route'), legs.join(' → ') || t('common.none')],
                [
                    t('container.transshipment'),
                    route.transshipment_ports?.length
                        ? route.transshipment_ports.join(', ')
                        : t('common.none'),
                ],
            ]),
            table(
                t('container.parties'),
                [
                    t('container.col_role'),
                    t('container.col_name'),
                    t('container.col_country'),
                    t('container.col_times_seen'),
                    t('container.col_first_seen'),
                    t('container.col_inspections'),
                    t('container.col_findings'),
                ],
                consignment.parties.map((party) =>
                    h(
                        'tr',
                        null,
                        h('td', null, word('party', party.role)),
                        h('th', { scope: 'row' }, party.name),
                        h('td', null, party.country),
                        h('td', { class: 'num' }, count(party.times_seen)),
                        h(
                            'td',
                            null,
                            party.first_seen ? party.first_seen.slice(0, 10) : t('common.none'),
                        ),
                        h('td', { class: 'num' }, count(party.inspections)),
                        h('td', { class: 'num' }, count(party.findings)),
                    ),
                ),
            ),
            table(
                t('container.goods'),
                [
                    t('container.col_item'),
                    t('container.col_hs'),
                    t('container.col_description'),
                    t('container.col_packages'),
                    t('container.col_mass'),
                ],
                consignment.goods.map((item) =>
                    h(
                        'tr',
                        null,
                        h('td', { class: 'num' }, count(item.item_number)),
                        h('td', { class: 'mono' }, item.hs_code),
                        h('th', { scope: 'row' }, item.description),
                        h(
                            'td',
                            { class: 'num' },
                            `${count(item.packages)} ${item.package_type ?? ''}`,
                        ),
                        h('td', { class: 'num' }, number(item.gross_mass_kg)),
                    ),
                ),
            ),
        );
    });
}

function sharedAlertRow(alert: SharedAlert): HTMLTableRowElement {
    const expired = alert.expires !== '' && alert.expires < todayUtc();
    return h(
        'tr',
        { 'data-testid': 'shared-alert', 'data-origin': alert.origin },
        h('th', { scope: 'row', class: 'mono' }, alert.origin),
        h('td', null, word('shared_kind', alert.kind)),
        h('td', null, alert.reason || t('common.none')),
        h('td', null, when(alert.created_at)),
        h(
            'td',
            null,
            expired ? t('container.shared_expired', { day: alert.expires }) : alert.expires,
        ),
    );
}

function sharedOutcomeRow(outcome: SharedOutcome): HTMLTableRowElement {
    const found =
        outcome.result === 'seizure'
            ? [word('category', outcome.category), outcome.description].filter(Boolean).join(': ')
            : outcome.description;
    return h(
        'tr',
        { 'data-testid': 'shared-outcome', 'data-origin': outcome.origin },
        h('th', { scope: 'row', class: 'mono' }, outcome.origin),
        h('td', null, outcome.port_of_call),
        h('td', null, outcome.inspected_on),
        h('td', null, word('result', outcome.result)),
        h('td', null, found || t('common.none')),
    );
}

/// What other ports sent about this container number: their alerts and seizures, and their
/// inspection outcomes (no-finds too), each with the port it came from.
function sharedSection(container: Container): HTMLElement | null {
    const alerts = container.shared_alerts ?? [];
    const outcomes = container.shared_outcomes ?? [];
    if (alerts.length === 0 && outcomes.length === 0) return null;
    return h(
        'section',
        { class: 'card', 'data-testid': 'shared' },
        h('h2', null, t('container.shared_title')),
        alerts.length
            ? table(
                  t('container.shared_alerts'),
                  [
                      t('container.col_origin'),
                      t('container.col_kind'),
                      t('container.reason'),
                      t('container.col_received'),
                      t('container.col_expires'),
                  ],
                  alerts.map(sharedAlertRow),
              )
            : null,
        outcomes.length
            ? table(
                  t('container.shared_outcomes'),
                  [
                      t('container.col_origin'),
                      t('container.port_of_call'),
                      t('outcome.inspected_on'),
                      t('outcome.result'),
                      t('container.col_found'),
                  ],
                  outcomes.map(sharedOutcomeRow),
              )
            : null,
    );
}

function historySection(container: Container): HTMLElement {
    return h(
        'section',
        { class: 'card', 'data-testid': 'history' },
        h('h2', null, t('container.history_title')),
        container.history.length === 0
            ? h('p', { class: 'muted' }, t('container.no_history'))
            : table(
                  t('container.history_caption'),
                  [
                      t('container.vessel'),
                      t('container.eta'),
                      t('container.port_of_call'),
                      t('container.col_outcome'),
                  ],
                  container.history.map((past) =>
                      h(
                          'tr',
                          null,
                          h('th', { scope: 'row' }, past.vessel_name),
                          h('td', null, when(past.eta)),
                          h('td', null, past.port_of_call),
                          h(
                              'td',
                              null,
                              past.outcome
                                  ? word('result', past.outcome)
                                  : t('container.not_inspected'),
                          ),
                      ),
                  ),
              ),
    );
}

/// "organic 40 %, inorganic 35 %, metal 5 %" from the analysis' material shares.
export function materialsWords(
    analysis: NonNullable<Container['scans'][number]['analysis']>,
): string {
    const shares = analysis.materials;
    if (!shares) return t('common.none');
    return (['organic', 'inorganic', 'metal', 'undetermined'] as const)
        .filter((name) => typeof shares[name] === 'number')
        .map((name) =>
            t('scan.material_share', {
                material: word('material', name),
                share: number((shares[name] ?? 0) * 100),
            }),
        )
        .join(', ');
}

function analysisFacts(analysis: Container['scans'][number]['analysis']): HTMLElement {
    if (!analysis) return h('p', { class: 'muted' }, t('scan.not_analysed'));
    const yes = (value: boolean) => (value ? t('common.yes') : t('common.no'));
    return facts([
        [t('scan.loaded'), yes(analysis.loaded)],
        [t('scan.declared_empty_but_loaded'), yes(analysis.declared_empty_but_loaded)],
        [t('scan.density_inconsistent'), yes(analysis.density_inconsistent)],
        [t('scan.mass_ratio'), number(analysis.mass_ratio)],
        [t('scan.anomaly_score'), number(analysis.anomaly_score)],
        [t('scan.confidence'), number(analysis.confidence)],
        [t('scan.regions'), count(analysisRegions(analysis).length)],
        [t('scan.materials'), materialsWords(analysis)],
        [t('scan.algorithm'), analysis.algorithm_version],
    ]);
}

function attachmentsPart(container: Container, reload: () => Promise<void>): HTMLElement[] {
    const list = (container.attachments ?? []).map((attachment: Attachment) => {
        const name = attachment.filename ?? attachment.name ?? String(attachment.id ?? '');
        return h(
            'li',
            { 'data-testid': 'attachment' },
            attachment.url ? h('a', { href: attachment.url, download: name }, name) : name,
            attachment.added_by
                ? h(
                      'span',
                      { class: 'muted' },
                      ` — ${t('container.updated_by', { who: attachment.added_by, at: when(attachment.added_at) })}`,
                  )
                : null,
        );
    });
    const parts: HTMLElement[] = [h('h3', null, t('container.attachments'))];
    parts.push(
        list.length
            ? h('ul', null, list)
            : h('p', { class: 'muted' }, t('container.no_attachments')),
    );
    // Officers (who may decide) attach documents: photos of the exam, the seizure report.
    if (user()?.role === 'officer') {
        const file = h('input', { type: 'file', required: true, 'data-testid': 'attachment-file' });
        const problems = problemsBox();
        parts.push(
            h(
                'form',
                {
                    class: 'inline-form',
                    'data-testid': 'attachment-form',
                    onsubmit: async (event: Event) => {
                        event.preventDefault();
                        problems.clear();
                        const chosen = file.files?.[0];
                        if (!chosen) return;
                        try {
                            await post(
                                `/api/containers/${container.container_id}/attachments?filename=${encodeURIComponent(chosen.name)}`,
                                chosen,
                            );
                            await reload();
                        } catch (error) {
                            problems.show(error);
                        }
                    },
                },
                field(t('container.attach_file'), file),
                h(
                    'button',
                    { type: 'submit', class: 'secondary', 'data-testid': 'attachment-submit' },
                    t('container.attach_submit'),
                ),
                problems.element,
            ),
        );
    }
    return parts;
}

function scansSection(container: Container, reloadAttachments: () => Promise<void>): HTMLElement {
    return h(
        'section',
        { class: 'card', 'data-testid': 'scans' },
        h('h2', null, t('container.scans_title')),
        container.scans.length === 0
            ? h('p', { class: 'muted' }, t('container.no_scans'))
            : h(
                  'ul',
                  { class: 'scan-list' },
                  container.scans.map((scan) =>
                      h(
                          'li',
                          { 'data-testid': 'container-scan', 'data-scan-id': scan.scan_id },
                          h(
                              'a',
                              {
                                  href: `/scan/${encodeURIComponent(scan.scan_id)}`,
                                  class: 'preview',
                              },
                              h('img', {
                                  src: scan.preview_url,
                                  alt: t('scan.preview_alt', { id: scan.scan_id }),
                                  loading: 'lazy',
                              }),
                          ),
                          h(
                              'p',
                              null,
                              h(
                                  'a',
                                  {
                                      href: `/scan/${encodeURIComponent(scan.scan_id)}`,
                                      'data-testid': 'open-viewer',
                                  },
                                  t('scan.open_viewer', { id: scan.scan_id }),
                              ),
                          ),
                          h(
                              'p',
                              { class: 'muted' },
                              t('scan.line', {
                                  at: when(scan.scanned_at),
                                  scanner: scan.scanner_id,
                                  view: scan.view,
                              }),
                          ),
                          analysisFacts(scan.analysis),
                      ),
                  ),
              ),
        attachmentsPart(container, reloadAttachments),
    );
}

export async function containerPage(context: PageContext): Promise<void> {
    const { root, params, active, onLeave } = context;
    const id = Number(params[0]);
    mount(root, loading());
    let vocab: Vocabulary | null = null;

    const draw = async () => {
        const [record, words] = await Promise.all([
            get<Container>(`/api/containers/${id}`),
            vocab ? Promise.resolve(vocab) : vocabulary().catch(() => null),
        ]);
        vocab = words;
        if (!active()) return;
        const container: Container & { state: WorkflowState } = {
            ...record,
            state: record.state ?? {
                state: 'unscored',
                lane: '',
                source: '',
                reason: '',
                updated_by: '',
                updated_at: '',
            },
        };
        document.title = `${container.number} · ${t('app.name')}`;
        mount(
            root,
            h('h1', { 'data-testid': 'container-number', class: 'mono' }, container.number),
            h(
                'p',
                { class: 'lead' },
                stateBadge(container.state.state),
                ' ',
                laneBadge(container.state.lane),
                ' ',
                container.score
                    ? t('container.score_short', { score: number(container.score.score) })
                    : '',
            ),
            h(
                'div',
                { class: 'grid' },
                h(
                    'div',
                    { class: 'col' },
                    actionsSection(container, vocab, draw),
                    stateSection(container.state, container),
                    container.outcome ? outcomeSection(container.outcome) : null,
                    scoreSection(container),
                    sharedSection(container),
                ),
                h(
                    'div',
                    { class: 'col' },
                    detailsSection(container),
                    scansSection(container, draw),
                    ...consignmentSection(container),
                    historySection(container),
                ),
            ),
        );
    };
    onLeave(
        subscribe(
            (event) =>
                (event.type === 'workflow' && event.data.container_id === id) ||
                (event.type === 'scored' && (event.data.container_ids ?? []).includes(id)) ||
                (event.type === 'scan' &&
                    root.querySelector(
                        `[data-scan-id="${CSS.escape(event.data.scan_id ?? '')}"]`,
                    ) !== null),
            () => {
                // do not redraw under a form being filled in
                if (!root.querySelector('.action-form')) void draw().catch(() => undefined);
            },
        ),
    );
    await draw();
}
