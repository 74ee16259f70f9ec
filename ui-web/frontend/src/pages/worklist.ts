/// The scanner operator's home: containers waiting for a scan.

import type { PageContext } from '../app';
import { get } from '../api/client';
import type { WorklistRow } from '../api/types';
import { h, mount } from '../dom';
import { subscribe } from '../events';
import { count, countdown, number } from '../format';
import { t } from '../i18n';
import { laneBadge, loading, stateBadge, table } from '../ui';

export async function worklistPage(context: PageContext): Promise<void> {
    const { root, active, onLeave } = context;
    const list = h('div', null, loading());
    mount(
        root,
        h('h1', null, t('worklist.title')),
        h('p', { class: 'lead' }, t('worklist.intro')),
        h(
            'p',
            null,
            h('a', { href: '/attach', class: 'button' }, t('worklist.attach')),
            ' ',
            h('a', { href: '/unmatched', class: 'button secondary' }, t('worklist.unmatched')),
        ),
        list,
    );
    const draw = async () => {
        const answer = await get<{ rows: WorklistRow[] }>('/api/worklist');
        if (!active()) return;
        mount(
            list,
            answer.rows.length === 0
                ? h('p', { class: 'muted', 'data-testid': 'worklist-empty' }, t('worklist.empty'))
                : table(
                      t('worklist.caption'),
                      [
                          t('queue.col_number'),
                          t('queue.col_vessel'),
                          t('queue.col_state'),
                          t('queue.col_lane'),
                          t('queue.col_score'),
                          t('worklist.col_scans'),
                          t('worklist.col_do'),
                      ],
                      answer.rows.map((row) =>
                          h(
                              'tr',
                              { 'data-testid': 'worklist-row', 'data-number': row.number },
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
                                  row.eta
                                      ? [
                                            h('br'),
                                            h('small', { class: 'muted' }, countdown(row.eta)),
                                        ]
                                      : null,
                              ),
                              h('td', null, stateBadge(row.state)),
                              h('td', null, laneBadge(row.lane)),
                              h('td', { class: 'num' }, number(row.score)),
                              h('td', { class: 'num' }, count(row.scans)),
                              h(
                                  'td',
                                  null,
                                  h(
                                      'a',
                                      {
                                          href: `/attach?container=${encodeURIComponent(row.number)}`,
                                          class: 'button small',
                                          'data-testid': 'worklist-attach',
                                      },
                                      t('worklist.attach_for'),
                                  ),
                              ),
                          ),
                      ),
                      { class: 'rows', 'data-testid': 'worklist-table' },
                  ),
        );
    };
    onLeave(
        subscribe(
            (event) => event.type === 'workflow' || event.type === 'scan',
            () => void draw().catch(() => undefined),
        ),
    );
    await draw();
}
