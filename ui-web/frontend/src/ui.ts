/// Small shared pieces of the pages: badges that show a word as well as a colour, error boxes,
/// the problems list next to a form.

import { ApiError } from './api/client';
import { h } from './dom';
import { t, word } from './i18n';

/// A lane as a coloured badge with its name ("Red lane"), never colour alone.
export function laneBadge(lane: string): HTMLElement {
    if (!lane) return h('span', { class: 'badge lane-none', 'data-lane': '' }, t('lane.none'));
    return h('span', { class: `badge lane-${lane}`, 'data-lane': lane }, word('lane', lane));
}

export function stateBadge(state: string): HTMLElement {
    return h(
        'span',
        { class: `badge state state-${state}`, 'data-state': state, 'data-testid': 'state-badge' },
        word('state', state),
    );
}

function messageOf(error: unknown): string {
    if (error instanceof ApiError) return error.message;
    if (error instanceof Error) return error.message;
    return String(error);
}

/// The box shown in place of a page the server refused or could not answer: 403 shows the
/// server's own words ("operator may not view_stats").
export function errorBox(error: unknown): HTMLElement {
    const status = error instanceof ApiError ? error.status : 0;
    const forbidden = status === 403;
    return h(
        'div',
        {
            class: 'error-box',
            role: 'alert',
            'data-testid': forbidden ? 'error-forbidden' : 'error',
        },
        h('h2', null, forbidden ? t('error.forbidden_title') : t('error.title')),
        h('p', { 'data-testid': 'error-text' }, messageOf(error)),
        error instanceof ApiError && error.problems.length > 0
            ? h(
                  'ul',
                  null,
                  error.problems.map((problem) => h('li', null, problem)),
              )
            : null,
    );
}

/// The problems of a refused form (409/400) as a list next to the form, in a live region.
export function problemsBox(): {
    element: HTMLElement;
    show: (error: unknown) => void;
    clear: () => void;
} {
    const element = h('div', {
        class: 'problems',
        role: 'alert',
        'aria-live': 'assertive',
        'data-testid': 'form-problems',
        hidden: true,
    });
    return {
        element,
        show(error: unknown) {
            element.hidden = false;
            const problems = error instanceof ApiError ? error.problems : [];
            element.replaceChildren(
                h('p', null, messageOf(error)),
                problems.length
                    ? h(
                          'ul',
                          null,
                          problems.map((problem) => h('li', null, problem)),
                      )
                    : '',
            );
        },
        clear() {
            element.hidden = true;
            element.replaceChildren();
        },
    };
}

export function loading(): HTMLElement {
    return h('p', { class: 'loading', 'aria-busy': 'true' }, t('common.loading'));
}

/// A table with a caption and column headers (th scope=col); `rows` are arrays of cells.
export function table(
    caption: string,
    headers: string[],
    rows: HTMLTableRowElement[],
    attrs: Record<string, unknown> = {},
): HTMLElement {
    return h(
        'div',
        { class: 'table-wrap' },
        h(
            'table',
            attrs,
            h('caption', null, caption),
            h(
                'thead',
                null,
                h(
                    'tr',
                    null,
                    headers.map((header) => h('th', { scope: 'col' }, header)),
                ),
            ),
            h('tbody', null, rows),
        ),
    );
}

/// A definition list from [term, value] pairs.
export function facts(pairs: Array<[string, Node | string]>): HTMLElement {
    return h(
        'dl',
        { class: 'facts' },
        pairs.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]),
    );
}
