/// Scans whose container number could not be matched to a manifest, each with a link form.

import type { PageContext } from '../app';
import { get, post } from '../api/client';
import type { UnmatchedScan } from '../api/types';
import { field, h, mount } from '../dom';
import { subscribe } from '../events';
import { when } from '../format';
import { t } from '../i18n';
import { loading, problemsBox } from '../ui';

function linkForm(row: UnmatchedScan, after: () => Promise<void>): HTMLElement {
    const number = h('input', {
        name: 'container_number',
        required: true,
        value: row.number_read,
        autocapitalize: 'characters',
        spellcheck: 'false',
        class: 'mono',
        'data-testid': 'link-number',
    });
    const problems = problemsBox();
    const submit = h(
        'button',
        { type: 'submit', 'data-testid': 'link-submit' },
        t('unmatched.link'),
    );
    return h(
        'form',
        {
            class: 'inline-form',
            onsubmit: async (event: Event) => {
                event.preventDefault();
                problems.clear();
                submit.disabled = true;
                try {
                    await post(`/api/scans/${encodeURIComponent(row.scan_id)}/link`, {
                        position: row.position,
                        container_number: number.value.trim().toUpperCase(),
                    });
                    await after();
                } catch (error) {
                    problems.show(error);
                    submit.disabled = false;
                }
            },
        },
        field(t('unmatched.container_number'), number),
        submit,
        problems.element,
    );
}

export async function unmatchedPage(context: PageContext): Promise<void> {
    const { root, active, onLeave } = context;
    const list = h('div', null, loading());
    mount(
        root,
        h('h1', null, t('unmatched.title')),
        h('p', { class: 'lead' }, t('unmatched.intro')),
        list,
    );
    const draw = async () => {
        const answer = await get<{ rows: UnmatchedScan[] } | UnmatchedScan[]>(
            '/api/scans/unmatched',
        );
        const rows = Array.isArray(answer) ? answer : answer.rows;
        if (!active()) return;
        mount(
            list,
            rows.length === 0
                ? h('p', { class: 'muted', 'data-testid': 'unmatched-empty' }, t('unmatched.empty'))
                : h(
                      'ul',
                      { class: 'cards' },
                      rows.map((row) =>
                          h(
                              'li',
                              { class: 'card', 'data-testid': 'unmatched-row' },
                              h(
                                  'h2',
                                  null,
                                  h(
                                      'a',
                                      { href: `/scan/${encodeURIComponent(row.scan_id)}` },
                                      t('unmatched.scan_line', {
                                          id: row.scan_id,
                                          position: row.position,
                                      }),
                                  ),
                              ),
                              h(
                                  'p',
                                  null,
                                  t('unmatched.read', {
                                      number: row.number_read || t('common.none'),
                                      at: when(row.scanned_at),
                                  }),
                              ),
                              h('p', { class: 'warning' }, row.problem),
                              linkForm(row, draw),
                          ),
                      ),
                  ),
        );
    };
    onLeave(
        subscribe(
            (event) => event.type === 'scan',
            () => void draw().catch(() => undefined),
        ),
    );
    await draw();
}
