/// The message catalogue: every user-visible string comes from src/i18n/<lang>.json. Adding a
/// language is one file: drop fr.json next to en.json (same keys) and it is picked from
/// navigator.language; a key missing from it falls back to English.

import en from './en.json';

type Catalogue = Record<string, string>;

const catalogues: Record<string, Catalogue> = Object.fromEntries(
    Object.entries(import.meta.glob<Catalogue>('./*.json', { eager: true, import: 'default' })).map(
        ([path, messages]) => [path.replace(/^.*\/(.+)\.json$/, '$1'), messages],
    ),
);

function choose(): string {
    const wanted =
        typeof navigator !== 'undefined'
            ? [...(navigator.languages ?? []), navigator.language]
            : [];
    for (const tag of wanted) {
        if (!tag) continue;
        const lower = tag.toLowerCase();
        if (catalogues[lower]) return lower;
        const base = lower.split('-')[0];
        if (catalogues[base]) return base;
    }
    return 'en';
}

export const language = choose();
const active: Catalogue = catalogues[language] ?? en;
const fallback: Catalogue = en;

/// The message for `key` with {name} placeholders filled from `params`.
export function t(key: string, params: Record<string, string | number> = {}): string {
    const template = active[key] ?? fallback[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in params ? String(params[name]) : whole,
    );
}

/// True when the catalogue has `key` (used for vocabulary words that may be new on the server).
export function has(key: string): boolean {
    return key in active || key in fallback;
}

/// A vocabulary word (lane, state, category...) in words: the catalogue's entry when there is
/// one, else the server's code with underscores as spaces.
export function word(group: string, code: string): string {
    if (!code) return t('common.none');
    const key = `${group}.${code}`;
    return has(key) ? t(key) : code.replace(/_/g, ' ');
}

if (typeof document !== 'undefined') document.documentElement.lang = language;
