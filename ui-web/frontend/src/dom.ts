/// A tiny DOM helper: h('button', {onclick: go, 'data-testid': 'x'}, 'text') builds elements
/// without a framework. Text children are always text nodes, never parsed as HTML.

export type Child = Node | string | number | null | undefined | false | Child[];
export type Attrs = Record<string, unknown> | null | undefined;

function append(parent: Node, child: Child): void {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
        for (const item of child) append(parent, item);
        return;
    }
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

export function h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs?: Attrs,
    ...children: Child[]
): HTMLElementTagNameMap[K] {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs ?? {})) {
        if (value === undefined || value === null || value === false) continue;
        if (name.startsWith('on') && typeof value === 'function') {
            element.addEventListener(name.slice(2), value as EventListener);
        } else if (name === 'class') {
            element.className = String(value);
        } else if (name === 'value' || name === 'checked' || name === 'selected') {
            (element as unknown as Record<string, unknown>)[name] = value;
        } else if (value === true) {
            element.setAttribute(name, '');
        } else {
            element.setAttribute(name, String(value));
        }
    }
    append(element, children);
    return element;
}

/// Replaces every child of `parent` with `children`.
export function mount(parent: Element, ...children: Child[]): void {
    parent.replaceChildren();
    append(parent, children);
}

/// A <select> whose options are [value, label] pairs.
export function select(
    attrs: Attrs,
    options: Array<[string, string]>,
    current = '',
): HTMLSelectElement {
    return h(
        'select',
        attrs,
        options.map(([value, label]) => h('option', { value, selected: value === current }, label)),
    );
}

/// A labelled form field: the label wraps its text and the control so that both are one
/// touch target, and the id ties them for screen readers.
let fieldCounter = 0;
export function field(label: string, control: HTMLElement, hint?: string): HTMLDivElement {
    fieldCounter += 1;
    const id = control.id || `f${fieldCounter}`;
    control.id = id;
    return h(
        'div',
        { class: 'field' },
        h('label', { for: id }, label),
        control,
        hint ? h('small', { class: 'hint' }, hint) : null,
    );
}

/// Returns a function that calls `fn` once, `ms` after the last of a burst of calls.
export function debounce(fn: () => void, ms: number): () => void {
    let timer: number | undefined;
    return () => {
        if (timer !== undefined) window.clearTimeout(timer);
        timer = window.setTimeout(() => {
            timer = undefined;
            fn();
        }, ms);
    };
}
