/// The officer's home: the arrivals board (vessel calls of the day with an ETA countdown) and
/// the selection queue ranked by score, with filters, capacity and keyboard moves.

import type { PageContext } from '../app';
import { navigate } from '../app';
import { get, query } from '../api/client';
import type { Arrivals, Queue, QueueRow, VesselCallSummary } from '../api/types';
import { debounce, field, h, mount, select } from '../dom';
import { subscribe } from '../events';
import { count, countdown, number, todayUtc, when } from '../format';
import { t, word } from '../i18n';
import { errorBox, laneBadge, loading, stateBadge } from '../ui';

const kPageSize = 50;
const kStates = [
    'scored',
    'selected',
    'scan_ordered',
    'scanned',
    'exam_ordered',
    'closed',
    'released',
    'unscored',
];

interface Filters {
    day: string;
    lane: string;
    state: string;
    q: string;
    min_score: string;
    offset: number;
}

function filtersFrom(search: URLSearchParams): Filters {
    return {
        day: search.get('day') ?? todayUtc(),
        lane: search.get('lane') ?? '',
        state: search.get('state') ?? '',
        q: search.get('q') ?? '',
        min_score: search.get('min_score') ?? '',
        offset: Math.max(0, Number(search.get('offset') ?? 0) || 0),
    };
}

function arrivalCard(
    call: VesselCallSummary,
    onShow: (call: VesselCallSummary) => void,
): HTMLElement {
    const eta = h(
        'span',
        { class: 'countdown', 'data-eta': call.eta, 'data-testid': 'eta-countdown' },
        countdown(call.eta),
    );
    return h(
        'li',
        { class: 'call card', 'data-testid': 'arrival-call' },
        h('h3', null, call.vessel_name),
        h(
            'p',
            { class: 'muted' },
            t('arrivals.call_line', {
                voyage: call.voyage || '–',
                carrier: call.carrier || '–',
                last_port: call.last_port || '–',
            }),
        ),
        h(
            'p',
            null,
            h('strong', null, eta),
            ' ',
            h('span', { class: 'muted' }, `(${when(call.eta)})`),
        ),
        h(
            'ul',
            { class: 'counts' },
            h('li', null, t('arrivals.containers', { n: count(call.containers) })),
            h('li', null, t('arrivals.scored', { n: count(call.scored) })),
            h('li', null, t('arrivals.selected', { n: count(call.selected) })),
            h(
                'li',
                null,
                h('span', { class: 'dot lane-red', 'aria-hidden': 'true' }),
                t('arrivals.red', { n: count(call.red) }),
            ),
            h(
                'li',
                null,
                h('span', { class: 'dot lane-yellow', 'aria-hidden': 'true' }),
                t('arrivals.yellow', { n: count(call.yellow) }),
            ),
            h('li', null, t('arrivals.closed', { n: count(call.closed) })),
        ),
        h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => onShow(call) },
            t('arrivals.show_containers'),
        ),
    );
}

export async function queuePage(context: PageContext): Promise<void> {
    const { root, onLeave, active } = context;
    const filters = filtersFrom(context.search);

    const board = h('aside', {
        class: 'board',
        'aria-labelledby': 'arrivals-title',
        'data-testid': 'arrivals-board',
    });
    const capacity = h('p', {
        class: 'capacity',
        'data-testid': 'capacity',
        'aria-live': 'polite',
    });
    const tableBody = h('tbody', { 'data-testid': 'queue-body' });
    const summary = h('p', { class: 'muted', 'data-testid': 'queue-total' });
    const pager = h('div', { class: 'pager' });
    const status = h('div', { 'aria-live': 'polite' });
    let rows: QueueRow[] = [];
    let selectedIndex = 0;

    const dayInput = h('input', {
        type: 'date',
        name: 'day',
        value: filters.day,
        'data-testid': 'filter-day',
    });
    const laneSelect = select(
        { name: 'lane', 'data-testid': 'filter-lane' },
        [
            ['', t('queue.any_lane')],
            ['red', word('lane', 'red')],
            ['yellow', word('lane', 'yellow')],
            ['green', t('lane.none')],
        ],
        filters.lane,
    );
    const stateSelect = select(
        { name: 'state', 'data-testid': 'filter-state' },
        [
            ['', t('queue.any_state')],
            ...kStates.map((s): [string, string] => [s, word('state', s)]),
        ],
        filters.state,
    );
    const searchInput = h('input', {
        type: 'search',
        name: 'q',
        value: filters.q,
        placeholder: t('queue.search_placeholder'),
        'data-testid': 'filter-q',
        autocomplete: 'off',
    });
    const minScore = h('input', {
        type: 'number',
        name: 'min_score',
        min: '0',
        step: '1',
        inputmode: 'numeric',
        value: filters.min_score,
        'data-testid': 'filter-min-score',
    });

    function readFilters(): void {
        filters.day = dayInput.value || todayUtc();
        filters.lane = laneSelect.value;
        filters.state = stateSelect.value;
        filters.q = searchInput.value.trim();
        filters.min_score = minScore.value;
    }

    function syncUrl(): void {
        const text = query({
            day: filters.day === todayUtc() ? '' : filters.day,
            lane: filters.lane,
            state: filters.state,
            q: filters.q,
            min_score: filters.min_score,
            offset: filters.offset || '',
        });
        history.replaceState(null, '', `/queue${text}`);
    }

    function highlight(index: number, focus: boolean): void {
        const items = Array.from(
            tableBody.querySelectorAll<HTMLTableRowElement>('tr[data-testid="queue-row"]'),
        );
        if (items.length === 0) return;
        selectedIndex = Math.max(0, Math.min(items.length - 1, index));
        items.forEach((row, i) => {
            if (i === selectedIndex) row.setAttribute('aria-current', 'true');
            else row.removeAttribute('aria-current');
        });
        const row = items[selectedIndex];
        if (focus) {
            row.focus();
            row.scrollIntoView({ block: 'nearest' });
        }
    }

    function open(index: number): void {
        const row = rows[index];
        if (row) navigate(`/container/${row.container_id}`);
    }

    function drawRows(queue: Queue): void {
        rows = queue.rows;
        const cap = queue.capacity;
        capacity.replaceChildren(
            h(
                'span',
                { 'data-testid': 'capacity-scan' },
                t('queue.capacity_scan', {
                    used: count(cap.scan_used),
                    total: count(cap.scan),
                    left: count(Math.max(0, cap.scan - cap.scan_used)),
                }),
            ),
            h(
                'span',
                { 'data-testid': 'capacity-exam' },
                t('queue.capacity_exam', {
                    used: count(cap.exam_used),
                    total: count(cap.exam),
                    left: count(Math.max(0, cap.exam - cap.exam_used)),
                }),
            ),
        );
        const first = queue.total === 0 ? 0 : filters.offset + 1;
        summary.textContent = t('queue.showing', {
            first: count(first),
            last: count(filters.offset + rows.length),
            total: count(queue.total),
        });
        mount(
            tableBody,
            rows.length === 0
                ? h('tr', null, h('td', { colspan: '8', class: 'empty' }, t('queue.empty')))
                : rows.map((row, index) =>
                      h(
                          'tr',
                          {
                              'data-testid': 'queue-row',
                              'data-container-id': row.container_id,
                              'data-number': row.number,
                              tabindex: '-1',
                              onclick: (event: MouseEvent) => {
                                  if ((event.target as Element).closest('a')) return;
                                  highlight(index, true);
                                  open(index);
                              },
                          },
                          h('td', { class: 'num' }, count(row.rank)),
                          h(
                              'th',
                              { scope: 'row' },
                              h(
                                  'a',
                                  { href: `/container/${row.container_id}`, class: 'mono' },
                                  row.number,
                              ),
                          ),
                          h(
                              'td',
                              null,
                              row.vessel_name,
                              h('br'),
                              h('small', { class: 'muted' }, countdown(row.eta)),
                          ),
                          h('td', { class: 'num' }, h('strong', null, number(row.score))),
                          h('td', null, laneBadge(row.lane)),
                          h('td', null, stateBadge(row.state)),
                          h('td', null, row.top_factor || t('common.none')),
                          h('td', null, word('source', row.main_source)),
                      ),
                  ),
        );
        pager.replaceChildren(
            h(
                'button',
                {
                    type: 'button',
                    class: 'secondary',
                    disabled: filters.offset === 0,
                    'data-testid': 'queue-prev',
                    onclick: () => {
                        filters.offset = Math.max(0, filters.offset - kPageSize);
                        void loadQueue();
                    },
                },
                t('queue.previous'),
            ),
            h(
                'button',
                {
                    type: 'button',
                    class: 'secondary',
                    disabled: filters.offset + rows.length >= queue.total,
                    'data-testid': 'queue-next',
                    onclick: () => {
                        filters.offset += kPageSize;
                        void loadQueue();
                    },
                },
                t('queue.next'),
            ),
        );
        highlight(Math.min(selectedIndex, rows.length - 1), false);
        performance.mark('portscreen:queue-rows');
    }

    let queueRequest: AbortController | null = null;
    async function loadQueue(): Promise<void> {
        queueRequest?.abort();
        queueRequest = new AbortController();
        syncUrl();
        try {
            const queue = await get<Queue>(
                `/api/queue${query({ day: filters.day, lane: filters.lane, state: filters.state, q: filters.q, min_score: filters.min_score, limit: kPageSize, offset: filters.offset })}`,
                { signal: queueRequest.signal },
            );
            if (!active()) return;
            status.replaceChildren();
            drawRows(queue);
        } catch (error) {
            if (!active() || (error instanceof DOMException && error.name === 'AbortError')) return;
            status.replaceChildren(errorBox(error));
        }
    }

    async function loadArrivals(): Promise<void> {
        try {
            const arrivals = await get<Arrivals>(`/api/arrivals${query({ day: filters.day })}`);
            if (!active()) return;
            mount(
                board,
                h('h2', { id: 'arrivals-title' }, t('arrivals.title', { day: arrivals.day })),
                arrivals.calls.length === 0
                    ? h('p', { class: 'muted' }, t('arrivals.empty'))
                    : h(
                          'ul',
                          { class: 'calls' },
                          arrivals.calls.map((call) =>
                              arrivalCard(call, (chosen) => {
                                  searchInput.value = chosen.vessel_name;
                                  applyFilters();
                              }),
                          ),
                      ),
            );
        } catch (error) {
            if (active())
                mount(
                    board,
                    h('h2', { id: 'arrivals-title' }, t('arrivals.title', { day: filters.day })),
                    errorBox(error),
                );
        }
    }

    const applyFilters = () => {
        readFilters();
        filters.offset = 0;
        selectedIndex = 0;
        void loadQueue();
    };
    const applySoon = debounce(applyFilters, 300);

    const form = h(
        'form',
        {
            class: 'filters',
            role: 'search',
            'data-testid': 'queue-filters',
            onsubmit: (event: Event) => {
                event.preventDefault();
                applyFilters();
            },
        },
        field(t('queue.filter_day'), dayInput),
        field(t('queue.filter_lane'), laneSelect),
        field(t('queue.filter_state'), stateSelect),
        field(t('queue.filter_min_score'), minScore),
        field(t('queue.filter_search'), searchInput, t('queue.keyboard_hint')),
    );
    for (const control of [laneSelect, stateSelect, minScore])
        control.addEventListener('change', applyFilters);
    dayInput.addEventListener('change', () => {
        applyFilters();
        void loadArrivals();
    });
    searchInput.addEventListener('input', applySoon);

    const queueSection = h(
        'section',
        { class: 'queue', 'aria-labelledby': 'queue-title' },
        h('h2', { id: 'queue-title' }, t('queue.title')),
        form,
        capacity,
        status,
        summary,
        h(
            'div',
            { class: 'table-wrap' },
            h(
                'table',
                { class: 'rows', 'data-testid': 'queue-table' },
                h('caption', { class: 'visually-hidden' }, t('queue.caption')),
                h(
                    'thead',
                    null,
                    h(
                        'tr',
                        null,
                        [
                            'queue.col_rank',
                            'queue.col_number',
                            'queue.col_vessel',
                            'queue.col_score',
                            'queue.col_lane',
                            'queue.col_state',
                            'queue.col_top_factor',
                            'queue.col_source',
                        ].map((key) => h('th', { scope: 'col' }, t(key))),
                    ),
                ),
                tableBody,
            ),
        ),
        pager,
    );

    mount(
        board,
        h('h2', { id: 'arrivals-title' }, t('arrivals.title', { day: filters.day })),
        loading(),
    );
    mount(
        root,
        h('h1', { class: 'visually-hidden' }, t('nav.queue')),
        h('div', { class: 'officer-home' }, queueSection, board),
    );

    const onKey = (event: KeyboardEvent) => {
        const target = event.target as HTMLElement;
        const typing = target.matches('input, select, textarea, [contenteditable]');
        if (event.key === '/' && !typing) {
            event.preventDefault();
            searchInput.focus();
            searchInput.select();
            return;
        }
        if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
        if (event.key === 'j' || event.key === 'ArrowDown') {
            event.preventDefault();
            highlight(selectedIndex + 1, true);
        } else if (event.key === 'k' || event.key === 'ArrowUp') {
            event.preventDefault();
            highlight(selectedIndex - 1, true);
        } else if (event.key === 'Enter' && !target.matches('a, button')) {
            event.preventDefault();
            open(selectedIndex);
        }
    };
    document.addEventListener('keydown', onKey);
    onLeave(() => document.removeEventListener('keydown', onKey));

    const ticker = window.setInterval(() => {
        for (const element of root.querySelectorAll<HTMLElement>('[data-eta]'))
            element.textContent = countdown(element.dataset.eta ?? '');
    }, 30_000);
    onLeave(() => window.clearInterval(ticker));
    onLeave(() => queueRequest?.abort());

    onLeave(
        subscribe(
            (event) => {
                if (event.type === 'scored') return true;
                if (event.type === 'workflow') return true;
                return false;
            },
            () => {
                void loadQueue();
                void loadArrivals();
            },
        ),
    );

    await Promise.all([loadQueue(), loadArrivals()]);
}
