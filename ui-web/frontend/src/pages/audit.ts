/// The audit log, oldest entries first and loaded page by page, and a check of its hash chain.

import type { PageContext } from '../app';
import { get, query } from '../api/client';
import type { AuditRow, AuditVerify } from '../api/types';
import { h, mount } from '../dom';
import { count, when } from '../format';
import { t } from '../i18n';
import { loading, problemsBox } from '../ui';

const kPage = 100;

export async function auditPage(context: PageContext): Promise<void> {
    const { root, active } = context;
    const body = h('tbody', { 'data-testid': 'audit-body' });
    const more = h(
        'button',
        { type: 'button', class: 'secondary', 'data-testid': 'audit-more', hidden: true },
        t('audit.more'),
    );
    const verifyResult = h('p', {
        role: 'status',
        'aria-live': 'polite',
        'data-testid': 'audit-verify-result',
    });
    const problems = problemsBox();
    let after = 0;

    const load = async () => {
        const answer = await get<{ rows: AuditRow[] }>(
            `/api/audit${query({ after, limit: kPage })}`,
        );
        if (!active()) return;
        if (after === 0) body.replaceChildren();
        for (const row of answer.rows) {
            const detail = typeof row.detail === 'string' ? row.detail : JSON.stringify(row.detail);
            body.appendChild(
                h(
                    'tr',
                    { 'data-testid': 'audit-row' },
                    h('td', { class: 'num' }, count(row.seq)),
                    h('td', null, when(row.at)),
                    h('td', null, row.actor),
                    h('th', { scope: 'row' }, row.action),
                    h('td', { class: 'mono' }, row.subject),
                    h('td', { class: 'detail mono' }, detail === '{}' ? '' : detail),
                ),
            );
            after = Math.max(after, row.seq);
        }
        more.hidden = answer.rows.length < kPage;
        if (body.children.length === 0)
            body.appendChild(
                h('tr', null, h('td', { colspan: '6', class: 'empty' }, t('audit.empty'))),
            );
    };
    more.addEventListener(
        'click',
        () => void load().catch((error: unknown) => problems.show(error)),
    );

    const verify = h(
        'button',
        {
            type: 'button',
            'data-testid': 'audit-verify',
            onclick: async () => {
                verifyResult.textContent = t('common.loading');
                verifyResult.className = '';
                try {
                    const answer = await get<AuditVerify>('/api/audit/verify');
                    verifyResult.className = answer.ok ? 'done' : 'problems';
                    verifyResult.dataset.ok = String(answer.ok);
                    verifyResult.textContent = answer.ok
                        ? t('audit.verify_ok', { entries: count(answer.entries) })
                        : t('audit.verify_bad', {
                              seq: answer.first_bad_seq ?? '?',
                              problem: answer.problem ?? '',
                          });
                } catch (error) {
                    verifyResult.textContent = '';
                    problems.show(error);
                }
            },
        },
        t('audit.verify'),
    );

    mount(
        root,
        h('h1', null, t('audit.title')),
        h('p', { class: 'lead' }, t('audit.intro')),
        h('div', { class: 'buttons' }, verify),
        verifyResult,
        problems.element,
        h(
            'div',
            { class: 'table-wrap' },
            h(
                'table',
                { class: 'rows', 'data-testid': 'audit-table' },
                h('caption', { class: 'visually-hidden' }, t('audit.caption')),
                h(
                    'thead',
                    null,
                    h(
                        'tr',
                        null,
                        [
                            'audit.col_seq',
                            'audit.col_at',
                            'audit.col_actor',
                            'audit.col_action',
                            'audit.col_subject',
                            'audit.col_detail',
                        ].map((key) => h('th', { scope: 'col' }, t(key))),
                    ),
                ),
                body,
            ),
        ),
        more,
    );
    body.appendChild(h('tr', null, h('td', { colspan: '6' }, loading())));
    await load();
}
