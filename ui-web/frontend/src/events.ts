/// Server-sent events from GET /api/events. Pages subscribe with a predicate saying which
/// events concern them; a burst of matching events refreshes the page once, about 1 s later.

import { debounce } from './dom';

export interface ServerEvent {
    type: 'scored' | 'scan' | 'workflow';
    data: { container_ids?: number[]; scan_id?: string; container_id?: number; state?: string };
}

type Subscription = { concerns: (event: ServerEvent) => boolean; refresh: () => void };

let source: EventSource | null = null;
const subscriptions = new Set<Subscription>();

function dispatch(type: ServerEvent['type'], message: MessageEvent): void {
    let data: ServerEvent['data'] = {};
    try {
        data = JSON.parse(String(message.data)) as ServerEvent['data'];
    } catch {
        return;
    }
    for (const subscription of subscriptions)
        if (subscription.concerns({ type, data })) subscription.refresh();
}

export function connectEvents(): void {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource('/api/events');
    for (const type of ['scored', 'scan', 'workflow'] as const)
        source.addEventListener(type, (message) => dispatch(type, message as MessageEvent));
}

export function disconnectEvents(): void {
    source?.close();
    source = null;
}

/// Subscribes until the returned function is called (the router calls it on leaving a page).
export function subscribe(concerns: Subscription['concerns'], refresh: () => void): () => void {
    const subscription: Subscription = { concerns, refresh: debounce(refresh, 1000) };
    subscriptions.add(subscription);
    return () => subscriptions.delete(subscription);
}
