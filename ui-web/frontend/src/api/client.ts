/// The JSON API client: every call goes through `api`, which sends the session's CSRF token on
/// state-changing requests and turns error answers into ApiError.

export class ApiError extends Error {
    readonly status: number;
    readonly problems: string[];
    readonly body: Record<string, unknown>;

    constructor(
        status: number,
        message: string,
        problems: string[],
        body: Record<string, unknown>,
    ) {
        super(message);
        this.status = status;
        this.problems = problems;
        this.body = body;
    }
}

let csrfToken = '';
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string): void {
    csrfToken = token;
}

/// Called when any request answers 401 (not logged in, session expired).
export function setUnauthorizedHandler(handler: () => void): void {
    onUnauthorized = handler;
}

type Method = 'GET' | 'POST';

export interface RequestOptions {
    /// Answers 401 are returned as errors without calling the unauthorised handler (login).
    quiet401?: boolean;
    signal?: AbortSignal;
}

async function parse(response: Response): Promise<Record<string, unknown>> {
    const text = await response.text();
    if (!text) return {};
    try {
        const value: unknown = JSON.parse(text);
        return typeof value === 'object' && value !== null
            ? (value as Record<string, unknown>)
            : { value };
    } catch {
        return { error: text.slice(0, 300) };
    }
}

export async function api<T>(
    method: Method,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) {
        payload = body;
    } else if (body instanceof Blob) {
        headers['Content-Type'] = body.type || 'application/octet-stream';
        payload = body;
    } else if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
    } else if (method === 'POST') {
        headers['Content-Type'] = 'application/json';
        payload = '{}';
    }
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    const response = await fetch(path, {
        method,
        headers,
        body: payload,
        credentials: 'same-origin',
        signal: options.signal,
    });
    const data = await parse(response);
    if (!response.ok) {
        const problems = Array.isArray(data.problems) ? data.problems.map(String) : [];
        const message = typeof data.error === 'string' ? data.error : `HTTP ${response.status}`;
        if (response.status === 401 && !options.quiet401 && onUnauthorized) onUnauthorized();
        throw new ApiError(response.status, message, problems, data);
    }
    return data as T;
}

export const get = <T>(path: string, options?: RequestOptions): Promise<T> =>
    api<T>('GET', path, undefined, options);
export const post = <T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> =>
    api<T>('POST', path, body, options);

/// A query string from the non-empty values of `params`.
export function query(params: Record<string, string | number | undefined | null>): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params))
        if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
    const text = search.toString();
    return text ? `?${text}` : '';
}
