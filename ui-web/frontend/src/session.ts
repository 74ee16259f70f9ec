/// Who is logged in, and what each role may open (mirrors accounts::allowed on the server,
/// which stays the authority: the navigation only hides what would answer 403).

import { setCsrfToken } from './api/client';
import type { Role, Session, User } from './api/types';

let current: User | null = null;

export function user(): User | null {
    return current;
}

export function setSession(session: Session | null): void {
    current = session ? session.user : null;
    setCsrfToken(session ? session.csrf_token : '');
}

export interface NavItem {
    path: string;
    key: string;
    roles: Role[];
}

/// The pages in the top bar, in order, with the roles that see them.
export const navigation: NavItem[] = [
    { path: '/queue', key: 'nav.queue', roles: ['officer', 'manager'] },
    { path: '/worklist', key: 'nav.worklist', roles: ['operator'] },
    { path: '/attach', key: 'nav.attach', roles: ['operator'] },
    { path: '/unmatched', key: 'nav.unmatched', roles: ['operator'] },
    { path: '/manager', key: 'nav.dashboard', roles: ['manager', 'admin'] },
    { path: '/users', key: 'nav.users', roles: ['admin'] },
    { path: '/audit', key: 'nav.audit', roles: ['manager', 'admin'] },
];

/// Where each role lands after logging in.
export function homeFor(role: Role): string {
    switch (role) {
        case 'officer':
            return '/queue';
        case 'operator':
            return '/worklist';
        case 'manager':
            return '/manager';
        case 'admin':
            return '/users';
    }
}
