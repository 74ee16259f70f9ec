/// Administration: the user list, adding a user, disabling one; the links to other ports.

import type { PageContext } from '../app';
import { get, post } from '../api/client';
import type { PeerStatus, Role, SharingStatus, UserRow } from '../api/types';
import { field, h, mount, select } from '../dom';
import { count, when } from '../format';
import { t, word } from '../i18n';
import { errorBox, loading, problemsBox, table } from '../ui';

const kRoles: Role[] = ['officer', 'operator', 'manager', 'admin'];

function peerRow(peer: PeerStatus): HTMLTableRowElement {
    return h(
        'tr',
        { 'data-testid': 'peer-row', 'data-peer': peer.name },
        h('th', { scope: 'row', class: 'mono' }, peer.name),
        h('td', { class: 'mono' }, peer.endpoint || t('sharing.no_endpoint')),
        h(
            'td',
            null,
            peer.connected
                ? h('span', { class: 'badge state-closed' }, t('sharing.connected'))
                : h('span', { class: 'badge state-released' }, t('sharing.disconnected')),
        ),
        h('td', null, peer.last_seen ? when(peer.last_seen) : t('sharing.never')),
        h('td', { class: 'num' }, count(peer.backlog)),
        h('td', { class: 'num' }, count(peer.acknowledged)),
        h('td', { class: 'num' }, count(peer.received)),
        h('td', { class: 'num' }, count(peer.refused)),
    );
}

/// The state of every configured peer's link: what the node still has to send it, what it
/// acknowledged, and what came from it.
async function sharingSection(): Promise<HTMLElement> {
    const section = h('section', { class: 'card', 'data-testid': 'sharing' });
    const heading = h('h2', null, t('sharing.title'));
    let status: SharingStatus;
    try {
        status = await get<SharingStatus>('/api/sharing/status');
    } catch (error) {
        mount(section, heading, errorBox(error));
        return section;
    }
    mount(
        section,
        heading,
        h(
            'p',
            { class: 'muted' },
            status.enabled
                ? t('sharing.enabled', {
                      node: status.node || t('sharing.unnamed'),
                      endpoint: status.endpoint,
                  })
                : t('sharing.disabled'),
        ),
        status.peers.length === 0
            ? h('p', { class: 'muted' }, t('sharing.no_peers'))
            : table(
                  t('sharing.caption'),
                  [
                      t('sharing.col_peer'),
                      t('sharing.col_endpoint'),
                      t('sharing.col_link'),
                      t('sharing.col_last_seen'),
                      t('sharing.col_backlog'),
                      t('sharing.col_acknowledged'),
                      t('sharing.col_received'),
                      t('sharing.col_refused'),
                  ],
                  status.peers.map(peerRow),
                  { class: 'rows', 'data-testid': 'sharing-table' },
              ),
    );
    return section;
}

export async function usersPage(context: PageContext): Promise<void> {
    const { root, active } = context;
    const list = h('div', null, loading());
    const listProblems = problemsBox();

    const draw = async () => {
        const answer = await get<{ rows: UserRow[] }>('/api/users');
        if (!active()) return;
        mount(
            list,
            table(
                t('users.caption'),
                [
                    t('users.col_username'),
                    t('users.col_display_name'),
                    t('users.col_role'),
                    t('users.col_status'),
                    t('users.col_created'),
                    t('users.col_do'),
                ],
                answer.rows.map((row) =>
                    h(
                        'tr',
                        { 'data-testid': 'user-row', 'data-username': row.username },
                        h('th', { scope: 'row', class: 'mono' }, row.username),
                        h('td', null, row.display_name),
                        h('td', null, word('role', row.role)),
                        h(
                            'td',
                            null,
                            row.disabled
                                ? h('span', { class: 'badge state-released' }, t('users.disabled'))
                                : h('span', { class: 'badge state-closed' }, t('users.active')),
                        ),
                        h('td', null, when(row.created_at)),
                        h(
                            'td',
                            null,
                            row.disabled
                                ? null
                                : h(
                                      'button',
                                      {
                                          type: 'button',
                                          class: 'secondary small',
                                          'data-testid': 'user-disable',
                                          onclick: async () => {
                                              if (
                                                  !window.confirm(
                                                      t('users.confirm_disable', {
                                                          username: row.username,
                                                      }),
                                                  )
                                              )
                                                  return;
                                              listProblems.clear();
                                              try {
                                                  await post(
                                                      `/api/users/${encodeURIComponent(row.username)}/disable`,
                                                  );
                                                  await draw();
                                              } catch (error) {
                                                  listProblems.show(error);
                                              }
                                          },
                                      },
                                      t('users.disable'),
                                  ),
                        ),
                    ),
                ),
                { class: 'rows', 'data-testid': 'users-table' },
            ),
        );
    };

    const username = h('input', {
        name: 'username',
        required: true,
        autocomplete: 'off',
        autocapitalize: 'none',
        spellcheck: 'false',
        'data-testid': 'user-username',
    });
    const displayName = h('input', {
        name: 'display_name',
        required: true,
        'data-testid': 'user-display-name',
    });
    const role = select(
        { name: 'role', 'data-testid': 'user-role' },
        kRoles.map((r): [string, string] => [r, word('role', r)]),
    );
    const password = h('input', {
        name: 'password',
        type: 'password',
        required: true,
        autocomplete: 'new-password',
        minlength: '12',
        'data-testid': 'user-password',
    });
    const problems = problemsBox();
    const done = h('p', { role: 'status', class: 'done' });
    const form = h(
        'form',
        {
            class: 'card',
            'data-testid': 'user-form',
            onsubmit: async (event: Event) => {
                event.preventDefault();
                problems.clear();
                done.textContent = '';
                try {
                    await post('/api/users', {
                        username: username.value.trim(),
                        display_name: displayName.value.trim(),
                        role: role.value,
                        password: password.value,
                    });
                    done.textContent = t('users.added', { username: username.value.trim() });
                    form.reset();
                    await draw();
                } catch (error) {
                    problems.show(error);
                }
            },
        },
        h('h2', null, t('users.add_title')),
        h(
            'div',
            { class: 'row' },
            field(t('users.col_username'), username),
            field(t('users.col_display_name'), displayName),
            field(t('users.col_role'), role),
            field(t('users.password'), password, t('users.password_hint')),
        ),
        problems.element,
        h('button', { type: 'submit', 'data-testid': 'user-add' }, t('users.add')),
        done,
    );

    const sharing = h('div', null, loading());
    mount(root, h('h1', null, t('users.title')), listProblems.element, list, form, sharing);
    await draw();
    const section = await sharingSection();
    if (active()) mount(sharing, section);
}
