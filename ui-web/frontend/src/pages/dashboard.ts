/// The programme manager's dashboard: figures for a period, charts, hit rates with their
/// intervals in words, rule effectiveness, and the exports of the same period.

import type { PageContext } from '../app';
import { ApiError } from '../api/client';
import type { Rate, Stats } from '../api/stats';
import { exportChoices, exportUrl, fetchStats } from '../api/stats';
import { chart } from '../charts';
import { field, h, mount } from '../dom';
import { count, monthsBefore, percent, todayUtc } from '../format';
import { t, word } from '../i18n';
import { errorBox, loading, table } from '../ui';

export function rateWords(rate: Rate): string {
    if (!rate.defined) return t('dashboard.rate_undefined');
    return t('dashboard.rate_interval', {
        value: percent(rate.value),
        low: percent(rate.low),
        high: percent(rate.high),
    });
}

function figure(key: string, value: number, testid: string): HTMLElement {
    return h(
        'div',
        { class: 'figure card' },
        h('span', { class: 'value', 'data-testid': testid }, count(value)),
        h('span', { class: 'label' }, t(key)),
    );
}

export async function dashboardPage(context: PageContext): Promise<void> {
    const { root, active, onLeave } = context;
    const today = todayUtc();
    const from = h('input', {
        type: 'date',
        name: 'from',
        required: true,
        value: context.search.get('from') ?? monthsBefore(today, 12),
        'data-testid': 'period-from',
    });
    const to = h('input', {
        type: 'date',
        name: 'to',
        required: true,
        value: context.search.get('to') ?? today,
        'data-testid': 'period-to',
    });
    const content = h('div', { 'data-testid': 'dashboard' });
    const exportsBox = h('section', { class: 'card', 'data-testid': 'exports' });
    let disposers: Array<() => void> = [];
    const dispose = () => {
        disposers.forEach((d) => d());
        disposers = [];
    };
    onLeave(dispose);

    const drawExports = () => {
        mount(
            exportsBox,
            h('h2', null, t('dashboard.exports_title')),
            h(
                'p',
                { class: 'muted' },
                t('dashboard.exports_period', { from: from.value, to: to.value }),
            ),
            h(
                'ul',
                { class: 'exports' },
                exportChoices.map(({ kind, formats, network }) =>
                    h(
                        'li',
                        null,
                        h(
                            'span',
                            { class: 'export-name' },
                            network
                                ? t('dashboard.export_network', {
                                      what: t(`dashboard.export_${kind}`),
                                  })
                                : t(`dashboard.export_${kind}`),
                        ),
                        ' ',
                        formats.map((format) =>
                            h(
                                'a',
                                {
                                    href: exportUrl(kind, format, from.value, to.value, network),
                                    download: true,
                                    class: 'button small secondary',
                                    'data-testid': network
                                        ? `export-${kind}-network-${format}`
                                        : `export-${kind}-${format}`,
                                },
                                t(`dashboard.format_${format}`),
                            ),
                        ),
                    ),
                ),
            ),
        );
    };

    const draw = async () => {
        dispose();
        drawExports();
        mount(content, loading());
        history.replaceState(null, '', `/manager?from=${from.value}&to=${to.value}`);
        let stats: Stats;
        try {
            stats = await fetchStats(from.value, to.value);
        } catch (error) {
            if (!active()) return;
            // a refusal replaces the whole page: the period and exports mean nothing then
            if (error instanceof ApiError && error.status === 403)
                mount(root, h('h1', null, t('dashboard.title')), errorBox(error));
            else mount(content, errorBox(error));
            return;
        }
        if (!active()) return;
        const volume = h('div', { class: 'chart', 'data-testid': 'chart-volume' });
        const findings = h('div', { class: 'chart', 'data-testid': 'chart-findings' });
        const rates = h('div', { class: 'chart', 'data-testid': 'chart-hit-rate' });
        const months = [...new Set(stats.findingsByCategoryMonth.map((row) => row.month))].sort();
        const categories = [
            ...new Set(stats.findingsByCategoryMonth.map((row) => row.category)),
        ].sort();
        const rules = [...stats.rules].sort(
            (a, b) => (b.rate.defined ? b.rate.value : -1) - (a.rate.defined ? a.rate.value : -1),
        );
        mount(
            content,
            h(
                'div',
                { class: 'figures' },
                figure('dashboard.screened', stats.screened, 'stat-screened'),
                figure('dashboard.selected', stats.selected, 'stat-selected'),
                figure('dashboard.inspected', stats.inspected, 'stat-inspected'),
                figure('dashboard.findings', stats.findings, 'stat-findings'),
            ),
            h(
                'div',
                { class: 'grid' },
                h(
                    'section',
                    { class: 'card' },
                    h('h2', null, t('dashboard.volume_title')),
                    volume,
                    stats.months.length
                        ? table(
                              t('dashboard.months_caption'),
                              [
                                  t('dashboard.col_month'),
                                  t('dashboard.screened'),
                                  t('dashboard.selected'),
                                  t('dashboard.inspected'),
                                  t('dashboard.findings'),
                              ],
                              stats.months.map((m) =>
                                  h(
                                      'tr',
                                      { 'data-testid': 'month-row' },
                                      h('th', { scope: 'row' }, m.month),
                                      h('td', { class: 'num' }, count(m.screened)),
                                      h('td', { class: 'num' }, count(m.selected)),
                                      h('td', { class: 'num' }, count(m.inspected)),
                                      h('td', { class: 'num' }, count(m.findings)),
                                  ),
                              ),
                          )
                        : null,
                    table(
                        t('dashboard.selected_by_source'),
                        [t('dashboard.col_source'), t('dashboard.col_selected')],
                        stats.selectedBySource.map((row) =>
                            h(
                                'tr',
                                null,
                                h('th', { scope: 'row' }, word('source', row.source)),
                                h('td', { class: 'num' }, count(row.count)),
                            ),
                        ),
                    ),
                ),
                h(
                    'section',
                    { class: 'card' },
                    h('h2', null, t('dashboard.findings_title')),
                    months.length
                        ? findings
                        : h(
                              'p',
                              { class: 'muted', 'data-testid': 'no-findings' },
                              t('dashboard.no_findings'),
                          ),
                    months.length
                        ? table(
                              t('dashboard.findings_caption'),
                              [
                                  t('dashboard.col_month'),
                                  t('dashboard.col_category'),
                                  t('dashboard.col_count'),
                              ],
                              [...stats.findingsByCategoryMonth]
                                  .sort(
                                      (a, b) =>
                                          a.month.localeCompare(b.month) ||
                                          a.category.localeCompare(b.category),
                                  )
                                  .map((row) =>
                                      h(
                                          'tr',
                                          { 'data-testid': 'findings-row' },
                                          h('th', { scope: 'row' }, row.month),
                                          h('td', null, word('category', row.category)),
                                          h('td', { class: 'num' }, count(row.count)),
                                      ),
                                  ),
                          )
                        : null,
                ),
            ),
            h(
                'section',
                { class: 'card' },
                h('h2', null, t('dashboard.hit_rate_title')),
                rates,
                table(
                    t('dashboard.hit_rate_caption'),
                    [
                        t('dashboard.col_source'),
                        t('dashboard.col_inspected'),
                        t('dashboard.col_findings'),
                        t('dashboard.col_rate'),
                    ],
                    stats.hitRateBySource.map((row) =>
                        h(
                            'tr',
                            { 'data-testid': 'hit-rate-row' },
                            h('th', { scope: 'row' }, word('source', row.source)),
                            h('td', { class: 'num' }, count(row.inspected)),
                            h('td', { class: 'num' }, count(row.findings)),
                            h('td', null, rateWords(row.rate)),
                        ),
                    ),
                ),
            ),
            stats.estimates.length
                ? h(
                      'section',
                      { class: 'card' },
                      h('h2', null, t('dashboard.estimates_title')),
                      table(
                          t('dashboard.estimates_caption'),
                          [t('dashboard.col_estimate'), t('dashboard.col_rate')],
                          stats.estimates.map((row) =>
                              h(
                                  'tr',
                                  { 'data-testid': 'estimate-row' },
                                  h('th', { scope: 'row' }, word('estimate', row.name)),
                                  h('td', null, rateWords(row.rate)),
                              ),
                          ),
                      ),
                  )
                : null,
            h(
                'section',
                { class: 'card' },
                h('h2', null, t('dashboard.rules_title')),
                table(
                    t('dashboard.rules_caption'),
                    [
                        t('dashboard.col_rule'),
                        t('dashboard.col_fired'),
                        t('dashboard.col_selected'),
                        t('dashboard.col_inspected'),
                        t('dashboard.col_findings'),
                        t('dashboard.col_rate'),
                    ],
                    rules.map((row) =>
                        h(
                            'tr',
                            { 'data-testid': 'rule-row' },
                            h('th', { scope: 'row' }, row.rule),
                            h('td', { class: 'num' }, count(row.fired)),
                            h('td', { class: 'num' }, count(row.selected)),
                            h('td', { class: 'num' }, count(row.inspected)),
                            h('td', { class: 'num' }, count(row.findings)),
                            h('td', null, rateWords(row.rate)),
                        ),
                    ),
                ),
            ),
        );
        const colours = [
            '#1f4e79',
            '#b8860b',
            '#2e7d32',
            '#b22222',
            '#6a1b9a',
            '#00838f',
            '#5d4037',
            '#455a64',
            '#ad1457',
            '#283593',
            '#827717',
            '#4e342e',
            '#37474f',
        ];
        const byMonth = stats.months.length > 0;
        disposers.push(
            chart(volume, {
                color: colours,
                tooltip: { trigger: 'axis' },
                legend: byMonth ? { bottom: 0 } : undefined,
                grid: { left: 60, right: 16, top: 24, bottom: byMonth ? 64 : 40 },
                xAxis: {
                    type: 'category',
                    data: byMonth
                        ? stats.months.map((m) => m.month)
                        : [
                              t('dashboard.screened'),
                              t('dashboard.selected'),
                              t('dashboard.inspected'),
                              t('dashboard.findings'),
                          ],
                },
                yAxis: { type: 'value' },
                series: byMonth
                    ? (['screened', 'selected', 'inspected'] as const).map((key) => ({
                          type: 'bar',
                          name: t(`dashboard.${key}`),
                          data: stats.months.map((m) => m[key]),
                      }))
                    : [
                          {
                              type: 'bar',
                              name: t('dashboard.containers'),
                              data: [
                                  stats.screened,
                                  stats.selected,
                                  stats.inspected,
                                  stats.findings,
                              ],
                              label: { show: true, position: 'top' },
                          },
                      ],
            }),
        );
        if (months.length)
            disposers.push(
                chart(findings, {
                    color: colours,
                    tooltip: { trigger: 'axis' },
                    legend: { type: 'scroll', bottom: 0 },
                    grid: { left: 48, right: 16, top: 16, bottom: 64 },
                    xAxis: { type: 'category', data: months },
                    yAxis: { type: 'value', minInterval: 1 },
                    series: categories.map((category) => ({
                        type: 'bar',
                        stack: 'findings',
                        name: word('category', category),
                        data: months.map((month) =>
                            stats.findingsByCategoryMonth
                                .filter((row) => row.month === month && row.category === category)
                                .reduce((sum, row) => sum + row.count, 0),
                        ),
                    })),
                }),
            );
        disposers.push(
            chart(rates, {
                color: colours,
                tooltip: {
                    trigger: 'axis',
                    valueFormatter: (value: unknown) => `${Number(value).toFixed(1)} %`,
                },
                grid: { left: 56, right: 16, top: 24, bottom: 40 },
                xAxis: {
                    type: 'category',
                    data: stats.hitRateBySource.map((row) => word('source', row.source)),
                },
                yAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
                series: [
                    {
                        type: 'bar',
                        name: t('dashboard.rate_value'),
                        data: stats.hitRateBySource.map((row) =>
                            row.rate.defined ? +(row.rate.value * 100).toFixed(2) : 0,
                        ),
                        label: { show: true, position: 'top', formatter: '{c} %' },
                    },
                ],
            }),
        );
    };

    mount(
        root,
        h('h1', null, t('dashboard.title')),
        h(
            'form',
            {
                class: 'filters card',
                'data-testid': 'period-form',
                onsubmit: (event: Event) => {
                    event.preventDefault();
                    void draw();
                },
            },
            h(
                'fieldset',
                null,
                h('legend', null, t('dashboard.period')),
                h(
                    'div',
                    { class: 'row' },
                    field(t('dashboard.from'), from),
                    field(t('dashboard.to'), to),
                    h(
                        'button',
                        { type: 'submit', 'data-testid': 'period-apply' },
                        t('dashboard.apply'),
                    ),
                ),
            ),
        ),
        content,
        exportsBox,
    );
    await draw();
}
