/// Numbers, dates and durations in words, all through the message catalogue.

import { language, t } from './i18n';

/// "3 h 20 min", "45 min", "2 d 3 h" for a duration in milliseconds (sign ignored).
export function duration(ms: number): string {
    const minutes = Math.round(Math.abs(ms) / 60_000);
    if (minutes < 1) return t('time.under_a_minute');
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    if (days > 0) return t('time.days_hours', { d: days, h: hours });
    if (hours > 0) return t('time.hours_minutes', { h: hours, m: mins });
    return t('time.minutes', { m: mins });
}

/// An ETA relative to `now`: "in 3 h 20 min" or "arrived 1 h 5 min ago".
export function countdown(etaIso: string, now: number = Date.now()): string {
    const eta = Date.parse(etaIso);
    if (Number.isNaN(eta)) return t('common.unknown');
    const delta = eta - now;
    return delta >= 0
        ? t('time.eta_in', { duration: duration(delta) })
        : t('time.arrived_ago', { duration: duration(delta) });
}

const dateTime = new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
});

export function when(iso: string | null | undefined): string {
    if (!iso) return t('common.none');
    const value = Date.parse(iso);
    return Number.isNaN(value) ? iso : dateTime.format(value);
}

const integer = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });

export function count(value: number | null | undefined): string {
    return value === null || value === undefined ? t('common.none') : integer.format(value);
}

export function number(value: number | null | undefined): string {
    return value === null || value === undefined ? t('common.none') : decimal.format(value);
}

export function percent(value: number): string {
    return t('common.percent', { value: decimal.format(value * 100) });
}

/// Today as YYYY-MM-DD in UTC (the server's days are UTC days).
export function todayUtc(now: Date = new Date()): string {
    return now.toISOString().slice(0, 10);
}

/// The same day `months` months before `day` (YYYY-MM-DD), clamped to the month's end.
export function monthsBefore(day: string, months: number): string {
    const [year, month, date] = day.split('-').map(Number);
    const target = new Date(Date.UTC(year, month - 1 - months, 1));
    const last = new Date(
        Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
    ).getUTCDate();
    target.setUTCDate(Math.min(date, last));
    return target.toISOString().slice(0, 10);
}
