/// The one place that knows the shape of GET /api/stats. The dashboard reads only `Stats`
/// below; when the server's JSON changes, adjust `toStats` and nothing else.
///
/// The server's shape (exports::statistics_json): {from, to, containers, containers_screened,
/// selected, inspected, no_finds, findings, by_source: [{source, red, yellow, selected,
/// inspected, findings, hit_rate}], months: [{month, containers_screened, selected, inspected,
/// findings}], findings_by_category: [{category, findings, by_month: [n aligned with months]}],
/// random_share: {..., targeted_hit_rate, rest_finding_rate, overall_finding_rate,
/// detection_rate}, rules: [{rule_id, fired, selected, inspected, findings, hit_rate}]}, every
/// rate {value, low, high, defined}. The older draft shape (period, screened,
/// selected_by_source, hit_rate_by_source, estimates, findings_by_category_month) is read too.

import { get, query } from './client';

/// A rate with its 95 % interval; `defined` is false when nothing was inspected.
export interface Rate {
    value: number;
    low: number;
    high: number;
    defined: boolean;
}

export interface Stats {
    from: string;
    to: string;
    screened: number;
    selected: number;
    selectedBySource: Array<{ source: string; count: number }>;
    inspected: number;
    findings: number;
    months: Array<{
        month: string;
        screened: number;
        selected: number;
        inspected: number;
        findings: number;
    }>;
    findingsByCategoryMonth: Array<{ month: string; category: string; count: number }>;
    hitRateBySource: Array<{ source: string; inspected: number; findings: number; rate: Rate }>;
    estimates: Array<{ name: string; rate: Rate }>;
    rules: Array<{
        rule: string;
        fired: number;
        selected: number;
        inspected: number;
        findings: number;
        rate: Rate;
    }>;
}

type Json = Record<string, unknown>;

const num = (value: unknown): number =>
    typeof value === 'number' && Number.isFinite(value) ? value : 0;
const str = (value: unknown): string =>
    value === undefined || value === null ? '' : String(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const obj = (value: unknown): Json =>
    typeof value === 'object' && value !== null ? (value as Json) : {};

function rate(value: unknown): Rate {
    const r = obj(value);
    return {
        value: num(r.value),
        low: num(r.low),
        high: num(r.high),
        defined: r.defined === undefined ? typeof r.value === 'number' : Boolean(r.defined),
    };
}

const kEstimates = [
    'targeted_hit_rate',
    'rest_finding_rate',
    'overall_finding_rate',
    'detection_rate',
];

/// Maps the server's statistics JSON to `Stats`.
export function toStats(raw: Json): Stats {
    const period = obj(raw.period);
    const bySource = list(raw.by_source);
    const selectedBySource =
        raw.selected_by_source !== undefined
            ? Object.entries(obj(raw.selected_by_source)).map(([source, count]) => ({
                  source,
                  count: num(count),
              }))
            : bySource.map((row) => ({ source: str(row.source), count: num(row.selected) }));

    const months = list(raw.months).map((row) => ({
        month: str(row.month),
        screened: num(row.containers_screened ?? row.screened),
        selected: num(row.selected),
        inspected: num(row.inspected),
        findings: num(row.findings),
    }));

    let findingsByCategoryMonth: Stats['findingsByCategoryMonth'];
    if (raw.findings_by_category_month !== undefined) {
        findingsByCategoryMonth = list(raw.findings_by_category_month).map((row) => ({
            month: str(row.month),
            category: str(row.category),
            count: num(row.count),
        }));
    } else {
        findingsByCategoryMonth = [];
        for (const category of list(raw.findings_by_category)) {
            const counts = Array.isArray(category.by_month) ? category.by_month : [];
            counts.forEach((count, index) => {
                if (num(count) > 0 && months[index])
                    findingsByCategoryMonth.push({
                        month: months[index].month,
                        category: str(category.category),
                        count: num(count),
                    });
            });
        }
    }

    const hitRateBySource = (
        raw.hit_rate_by_source !== undefined ? list(raw.hit_rate_by_source) : bySource
    ).map((row) => ({
        source: str(row.source),
        inspected: num(row.inspected),
        findings: num(row.findings),
        rate: rate(row.rate ?? row.hit_rate),
    }));

    const estimateSource = raw.estimates !== undefined ? obj(raw.estimates) : obj(raw.random_share);
    const estimates = kEstimates
        .filter((name) => name in estimateSource)
        .map((name) => ({ name, rate: rate(estimateSource[name]) }));

    return {
        from: str(period.from ?? raw.from),
        to: str(period.to ?? raw.to),
        screened: num(raw.screened ?? raw.containers_screened),
        selected:
            typeof raw.selected === 'number'
                ? raw.selected
                : selectedBySource.reduce((sum, entry) => sum + entry.count, 0),
        selectedBySource,
        inspected: num(raw.inspected),
        findings: num(raw.findings),
        months,
        findingsByCategoryMonth,
        hitRateBySource,
        estimates,
        rules: list(raw.rules).map((row) => ({
            rule: str(row.rule ?? row.rule_id),
            fired: num(row.fired),
            selected: num(row.selected),
            inspected: num(row.inspected),
            findings: num(row.findings),
            rate: rate(row.rate ?? row.hit_rate),
        })),
    };
}

export async function fetchStats(from: string, to: string): Promise<Stats> {
    return toStats(await get<Json>(`/api/stats${query({ from, to })}`));
}

/// The exports offered on the dashboard (GET /api/exports/KIND.FORMAT). The statistics are
/// several tables, so the server gives them as a workbook only.
/// The downloads of the manager's page. `network` exports hold this node's outcomes and those
/// received from other ports, per unit (GET /api/exports/... with network=1).
export const exportChoices: Array<{ kind: string; formats: string[]; network?: boolean }> = [
    { kind: 'selections', formats: ['csv', 'xlsx'] },
    { kind: 'outcomes', formats: ['csv', 'xlsx'] },
    { kind: 'seizures', formats: ['csv', 'xlsx'] },
    { kind: 'statistics', formats: ['xlsx'] },
    { kind: 'outcomes', formats: ['csv', 'xlsx'], network: true },
    { kind: 'statistics', formats: ['csv', 'xlsx'], network: true },
];

export function exportUrl(
    kind: string,
    format: string,
    from: string,
    to: string,
    network = false,
): string {
    return `/api/exports/${kind}.${format}${query({ from, to, network: network ? '1' : null })}`;
}
