/// The shell: session check, top bar, and a History API router that maps paths to pages.

import { ApiError, get, post, setUnauthorizedHandler } from './api/client';
import type { Session } from './api/types';
import { h, mount } from './dom';
import { connectEvents, disconnectEvents } from './events';
import { t, word } from './i18n';
import { homeFor, navigation, setSession, user } from './session';
import { errorBox } from './ui';

export interface PageContext {
    /// The page's own area below the top bar.
    root: HTMLElement;
    /// Path segments captured by the route (e.g. the container id).
    params: string[];
    search: URLSearchParams;
    /// Registers clean-up run when the user leaves the page (timers, subscriptions, viewers).
    onLeave: (cleanup: () => void) => void;
    /// False once the user has left: late answers must not draw over the next page.
    active: () => boolean;
}

export type Page = (context: PageContext) => void | Promise<void>;

interface Route {
    pattern: RegExp;
    load: () => Promise<Page>;
    title: string;
}

const routes: Route[] = [
    {
        pattern: /^\/(?:queue|officer|arrivals)\/?$/,
        load: async () => (await import('./pages/queue')).queuePage,
        title: 'nav.queue',
    },
    {
        pattern: /^\/container\/(\d+)\/?$/,
        load: async () => (await import('./pages/container')).containerPage,
        title: 'container.title',
    },
    {
        pattern: /^\/(?:worklist|operator)\/?$/,
        load: async () => (await import('./pages/worklist')).worklistPage,
        title: 'nav.worklist',
    },
    {
        pattern: /^\/attach\/?$/,
        load: async () => (await import('./pages/attach')).attachPage,
        title: 'nav.attach',
    },
    {
        pattern: /^\/unmatched\/?$/,
        load: async () => (await import('./pages/unmatched')).unmatchedPage,
        title: 'nav.unmatched',
    },
    {
        pattern: /^\/scan\/([A-Za-z0-9._:-]{1,128})\/?$/,
        load: async () => (await import('./pages/viewer')).viewerPage,
        title: 'viewer.title',
    },
    {
        pattern: /^\/(?:manager|dashboard)\/?$/,
        load: async () => (await import('./pages/dashboard')).dashboardPage,
        title: 'nav.dashboard',
    },
    {
        pattern: /^\/(?:users|admin)\/?$/,
        load: async () => (await import('./pages/users')).usersPage,
        title: 'nav.users',
    },
    {
        pattern: /^\/audit\/?$/,
        load: async () => (await import('./pages/audit')).auditPage,
        title: 'nav.audit',
    },
];

const app = document.getElementById('app') as HTMLElement;
let cleanups: Array<() => void> = [];
let renderCount = 0;

function leavePage(): void {
    for (const cleanup of cleanups) {
        try {
            cleanup();
        } catch {
            // a failing clean-up must not keep the next page from drawing
        }
    }
    cleanups = [];
}

export function navigate(path: string, replace = false): void {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    void render();
}

function topBar(): HTMLElement {
    const current = user();
    const here = location.pathname;
    const items = current ? navigation.filter((item) => item.roles.includes(current.role)) : [];
    return h(
        'header',
        { class: 'topbar', 'data-testid': 'topbar' },
        h('a', { href: current ? homeFor(current.role) : '/', class: 'brand' }, t('app.name')),
        items.length
            ? h(
                  'nav',
                  { 'aria-label': t('nav.label') },
                  h(
                      'ul',
                      null,
                      items.map((item) =>
                          h(
                              'li',
                              null,
                              h(
                                  'a',
                                  {
                                      href: item.path,
                                      'data-testid': `nav-${item.path.slice(1)}`,
                                      'aria-current': here === item.path ? 'page' : false,
                                  },
                                  t(item.key),
                              ),
                          ),
                      ),
                  ),
              )
            : null,
        current
            ? h(
                  'div',
                  { class: 'who' },
                  h(
                      'span',
                      { 'data-testid': 'current-user' },
                      t('nav.user', {
                          name: current.display_name || current.username,
                          role: word('role', current.role),
                      }),
                  ),
                  h(
                      'button',
                      {
                          type: 'button',
                          class: 'secondary',
                          'data-testid': 'logout',
                          onclick: logout,
                      },
                      t('nav.logout'),
                  ),
              )
            : null,
    );
}

async function logout(): Promise<void> {
    try {
        await post('/api/logout');
    } catch {
        // the session may already be gone; the login page is shown either way
    }
    setSession(null);
    disconnectEvents();
    navigate('/login');
}

export async function render(): Promise<void> {
    leavePage();
    const token = ++renderCount;
    const path = location.pathname;
    if (!user() || path === '/login') {
        const { loginPage } = await import('./pages/login');
        if (token !== renderCount) return;
        document.title = t('login.title');
        mount(app, topBar(), h('main', { id: 'main', tabindex: '-1' }, loginPage()));
        return;
    }
    const current = user()!;
    if (path === '/' || path === '') {
        navigate(homeFor(current.role), true);
        return;
    }
    const main = h('main', { id: 'main', tabindex: '-1' });
    mount(app, h('a', { href: '#main', class: 'skip' }, t('nav.skip')), topBar(), main);
    const route = routes.find((candidate) => candidate.pattern.test(path));
    if (!route) {
        document.title = t('error.not_found_title');
        mount(
            main,
            h(
                'div',
                { class: 'error-box', 'data-testid': 'error-not-found' },
                h('h2', null, t('error.not_found_title')),
                h('p', null, t('error.not_found', { path })),
            ),
        );
        return;
    }
    document.title = `${t(route.title)} · ${t('app.name')}`;
    const params = (path.match(route.pattern) ?? []).slice(1);
    try {
        const page = await route.load();
        if (token !== renderCount) return;
        await page({
            root: main,
            params,
            search: new URLSearchParams(location.search),
            onLeave: (cleanup) => cleanups.push(cleanup),
            active: () => token === renderCount,
        });
    } catch (error) {
        if (token !== renderCount) return;
        if (error instanceof ApiError && error.status === 401) return;
        mount(main, errorBox(error));
    }
}

/// Login succeeded: remember the session and go where the user was headed, else home.
export function loggedIn(session: Session, next: string | null): void {
    setSession(session);
    connectEvents();
    const target =
        next && next.startsWith('/') && !next.startsWith('//') && next !== '/login'
            ? next
            : homeFor(session.user.role);
    navigate(target, true);
}

export async function start(): Promise<void> {
    setUnauthorizedHandler(() => {
        const wasLoggedIn = user() !== null;
        setSession(null);
        disconnectEvents();
        if (location.pathname !== '/login') {
            const next = location.pathname + location.search;
            history.replaceState(
                null,
                '',
                `/login?next=${encodeURIComponent(next)}${wasLoggedIn ? '&expired=1' : ''}`,
            );
        }
        void render();
    });
    window.addEventListener('popstate', () => void render());
    document.addEventListener('click', (event) => {
        if (
            event.defaultPrevented ||
            event.button !== 0 ||
            event.metaKey ||
            event.ctrlKey ||
            event.shiftKey ||
            event.altKey
        )
            return;
        const anchor = (event.target as Element).closest('a');
        if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
        const url = new URL(anchor.href, location.href);
        if (
            url.origin !== location.origin ||
            url.pathname.startsWith('/api/') ||
            anchor.getAttribute('href')?.startsWith('#')
        )
            return;
        event.preventDefault();
        navigate(url.pathname + url.search);
    });
    // Fetch the page's code while the session is checked: the first rows come sooner.
    void routes
        .find((route) => route.pattern.test(location.pathname))
        ?.load()
        .catch(() => undefined);
    try {
        const session = await get<Session>('/api/session', { quiet401: true });
        setSession(session);
        connectEvents();
    } catch (error) {
        if (!(error instanceof ApiError && error.status === 401))
            console.warn('session check failed', error);
        setSession(null);
        if (location.pathname !== '/login') {
            const next = location.pathname + location.search;
            history.replaceState(
                null,
                '',
                next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`,
            );
        }
    }
    await render();
}
