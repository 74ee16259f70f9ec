import { loggedIn } from '../app';
import { ApiError, post } from '../api/client';
import type { Session } from '../api/types';
import { field, h } from '../dom';
import { t } from '../i18n';

export function loginPage(): HTMLElement {
    const search = new URLSearchParams(location.search);
    const username = h('input', {
        name: 'username',
        autocomplete: 'username',
        required: true,
        autocapitalize: 'none',
        spellcheck: 'false',
        'data-testid': 'login-username',
    });
    const password = h('input', {
        name: 'password',
        type: 'password',
        autocomplete: 'current-password',
        required: true,
        'data-testid': 'login-password',
    });
    const message = h('p', {
        class: 'problems',
        role: 'alert',
        'data-testid': 'login-error',
        hidden: true,
    });
    const submit = h(
        'button',
        { type: 'submit', 'data-testid': 'login-submit' },
        t('login.submit'),
    );
    const show = (text: string) => {
        message.hidden = false;
        message.textContent = text;
    };
    if (search.get('expired')) show(t('login.expired'));
    const form = h(
        'form',
        {
            class: 'card login',
            'data-testid': 'login-form',
            onsubmit: async (event: Event) => {
                event.preventDefault();
                submit.disabled = true;
                message.hidden = true;
                try {
                    const session = await post<Session>(
                        '/api/login',
                        { username: username.value.trim(), password: password.value },
                        { quiet401: true },
                    );
                    loggedIn(session, search.get('next'));
                } catch (error) {
                    password.value = '';
                    if (error instanceof ApiError && error.status === 429) {
                        const wait = Number(error.body.retry_after_s ?? 0);
                        show(t('login.throttled', { seconds: Math.max(1, Math.ceil(wait)) }));
                    } else if (error instanceof ApiError && error.status === 401) {
                        show(t('login.bad_credentials'));
                    } else {
                        show(error instanceof Error ? error.message : String(error));
                    }
                } finally {
                    submit.disabled = false;
                }
            },
        },
        h('h1', null, t('login.title')),
        h('p', null, t('login.intro')),
        field(t('login.username'), username),
        field(t('login.password'), password),
        message,
        submit,
    );
    queueMicrotask(() => username.focus());
    return form;
}
