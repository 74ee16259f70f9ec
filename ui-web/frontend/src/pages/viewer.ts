/// The scan viewer: OpenSeadragon over the node's Deep Zoom pyramid, with display controls
/// (contrast, brightness, invert, pseudo-colour, CLAHE tiles, material overlay), the analysis
/// regions, regions drawn by operators, and the operator's clear / refer decision.

import OpenSeadragon from 'openseadragon';
import type { PageContext } from '../app';
import { get, post } from '../api/client';
import type { DrawnRegion, Region, Scan } from '../api/types';
import { analysisRegions as regionsOf } from '../api/types';
import { materialsWords } from './container';
import { field, h, mount, select } from '../dom';
import { number, when } from '../format';
import { t, word } from '../i18n';
import { facts, loading, problemsBox } from '../ui';

/// Pseudo-colour palettes as SVG feComponentTransfer tables over the grey level.
const kPalettes: Record<string, [string, string, string]> = {
    hot: ['0 1 1 1', '0 0 1 1', '0 0 0 1'],
    rainbow: ['0 0 0 1 1', '0 1 1 1 0', '1 1 0 0 0'],
    bone: ['0 0.32 0.66 1', '0 0.38 0.78 1', '0 0.45 0.78 1'],
};

function paletteDefs(): SVGSVGElement {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', 'palette-defs');
    svg.setAttribute('width', '0');
    svg.setAttribute('height', '0');
    for (const [name, [red, green, blue]] of Object.entries(kPalettes)) {
        const filter = document.createElementNS(ns, 'filter');
        filter.setAttribute('id', `palette-${name}`);
        filter.setAttribute('color-interpolation-filters', 'sRGB');
        const grey = document.createElementNS(ns, 'feColorMatrix');
        grey.setAttribute('type', 'saturate');
        grey.setAttribute('values', '0');
        filter.appendChild(grey);
        const transfer = document.createElementNS(ns, 'feComponentTransfer');
        for (const [tag, table] of [
            ['feFuncR', red],
            ['feFuncG', green],
            ['feFuncB', blue],
        ] as const) {
            const func = document.createElementNS(ns, tag);
            func.setAttribute('type', 'table');
            func.setAttribute('tableValues', table);
            transfer.appendChild(func);
        }
        filter.appendChild(transfer);
        svg.appendChild(filter);
    }
    return svg;
}

/// The CSS filter for the display settings; the palette comes last so it colours the
/// contrast-adjusted grey levels.
export function cssFilter(
    contrast: number,
    brightness: number,
    invert: boolean,
    palette: string,
): string {
    const parts = [`brightness(${brightness}%)`, `contrast(${contrast}%)`];
    if (invert) parts.push('invert(1)');
    if (palette && kPalettes[palette]) parts.push(`url(#palette-${palette})`);
    return parts.join(' ');
}

function overlayElement(kind: 'analysis' | 'drawn', label: string): HTMLElement {
    return h(
        'div',
        { class: `region-overlay ${kind}`, 'data-testid': 'region-overlay', 'data-kind': kind },
        h('span', { class: 'region-label' }, label),
    );
}

export async function viewerPage(context: PageContext): Promise<void> {
    const { root, params, active, onLeave } = context;
    const scanId = decodeURIComponent(params[0]);
    mount(root, loading());
    const scan = await get<Scan>(`/api/scans/${encodeURIComponent(scanId)}`);
    if (!active()) return;
    document.title = `${t('viewer.title')} ${scan.scan_id} · ${t('app.name')}`;

    const regions: DrawnRegion[] = [...(scan.regions ?? [])];
    const analysisRegions: Region[] = regionsOf(scan.analysis);

    const contrast = h('input', {
        type: 'range',
        min: '50',
        max: '300',
        step: '5',
        value: '100',
        'data-testid': 'viewer-contrast',
    });
    const brightness = h('input', {
        type: 'range',
        min: '30',
        max: '250',
        step: '5',
        value: '100',
        'data-testid': 'viewer-brightness',
    });
    const invert = h('input', { type: 'checkbox', 'data-testid': 'viewer-invert' });
    const palette = select({ 'data-testid': 'viewer-palette' }, [
        ['', t('viewer.palette_grey')],
        ...Object.keys(kPalettes).map((name): [string, string] => [
            name,
            t(`viewer.palette_${name}`),
        ]),
    ]);
    const clahe = h('input', { type: 'checkbox', 'data-testid': 'viewer-clahe' });
    const materials = h('input', {
        type: 'checkbox',
        'data-testid': 'viewer-materials',
        disabled: !scan.materials_url,
    });
    const showRegions = h('input', {
        type: 'checkbox',
        checked: true,
        'data-testid': 'viewer-show-regions',
    });
    const drawButton = h(
        'button',
        {
            type: 'button',
            class: 'secondary',
            'aria-pressed': 'false',
            'data-testid': 'draw-region',
        },
        t('viewer.draw_region'),
    );
    const status = h('p', {
        class: 'muted',
        role: 'status',
        'aria-live': 'polite',
        'data-testid': 'viewer-status',
    });

    const viewerElement = h('div', {
        class: 'osd',
        'data-testid': 'viewer',
        role: 'img',
        'aria-label': t('viewer.image_label', { id: scan.scan_id }),
    });
    const drawLayer = h('div', { class: 'draw-layer', hidden: true, 'data-testid': 'draw-layer' });
    const rubber = h('div', { class: 'rubber-band', hidden: true });
    drawLayer.appendChild(rubber);
    const formArea = h('div', { class: 'form-area' });
    const regionList = h('ul', { class: 'region-list', 'data-testid': 'region-list' });

    const check = (control: HTMLInputElement, label: string) =>
        h('label', { class: 'check' }, control, ' ', label);
    const toolbar = h(
        'div',
        { class: 'toolbar', role: 'toolbar', 'aria-label': t('viewer.toolbar') },
        h(
            'div',
            { class: 'group' },
            h(
                'button',
                {
                    type: 'button',
                    class: 'secondary',
                    'aria-label': t('viewer.zoom_in'),
                    'data-testid': 'zoom-in',
                    onclick: () => viewer.viewport.zoomBy(1.5),
                },
                '+',
            ),
            h(
                'button',
                {
                    type: 'button',
                    class: 'secondary',
                    'aria-label': t('viewer.zoom_out'),
                    'data-testid': 'zoom-out',
                    onclick: () => viewer.viewport.zoomBy(1 / 1.5),
                },
                '−',
            ),
            h(
                'button',
                {
                    type: 'button',
                    class: 'secondary',
                    'data-testid': 'zoom-home',
                    onclick: () => viewer.viewport.goHome(),
                },
                t('viewer.fit'),
            ),
        ),
        field(t('viewer.contrast'), contrast),
        field(t('viewer.brightness'), brightness),
        field(t('viewer.palette'), palette),
        h(
            'div',
            { class: 'group checks' },
            check(invert, t('viewer.invert')),
            check(clahe, t('viewer.clahe')),
            check(materials, t('viewer.materials')),
            check(showRegions, t('viewer.show_regions')),
        ),
        drawButton,
    );

    const reviewNote = h('textarea', { rows: '2', 'data-testid': 'review-note' });
    const reviewProblems = problemsBox();
    const reviewResult = h('p', { role: 'status', 'data-testid': 'review-result' });
    const review = async (decision: 'clear' | 'refer') => {
        reviewProblems.clear();
        reviewResult.textContent = '';
        try {
            const answer = await post<{
                containers?: Array<{ container_id: number; number: string; state: string }>;
            }>(`/api/scans/${encodeURIComponent(scan.scan_id)}/review`, {
                decision,
                note: reviewNote.value.trim(),
            });
            const changed = answer.containers ?? [];
            reviewResult.textContent = changed.length
                ? changed
                      .map((c) =>
                          t('viewer.review_container', {
                              number: c.number,
                              state: word('state', c.state),
                          }),
                      )
                      .join(' ')
                : t(`viewer.review_done_${decision}`);
        } catch (error) {
            reviewProblems.show(error);
        }
    };

    const linked = scan.containers ?? [];
    const side = h(
        'aside',
        { class: 'viewer-side' },
        h(
            'section',
            { class: 'card' },
            h('h2', null, t('viewer.scan_title')),
            facts([
                [t('viewer.scanned'), when(scan.scanned_at)],
                [t('viewer.scanner'), scan.scanner_id],
                [t('viewer.view'), scan.view],
                [
                    t('viewer.size'),
                    t('viewer.size_value', { width: scan.width, height: scan.height }),
                ],
                [
                    t('viewer.containers'),
                    linked.length
                        ? h(
                              'span',
                              null,
                              linked.map((c, i) => [
                                  i ? ', ' : '',
                                  c.container_id
                                      ? h(
                                            'a',
                                            { href: `/container/${c.container_id}`, class: 'mono' },
                                            c.number_read,
                                        )
                                      : h(
                                            'span',
                                            { class: 'mono' },
                                            `${c.number_read} (${t('viewer.unlinked')})`,
                                        ),
                              ]),
                          )
                        : t('common.none'),
                ],
            ]),
        ),
        h(
            'section',
            { class: 'card', 'data-testid': 'analysis' },
            h('h2', null, t('viewer.analysis_title')),
            scan.analysis
                ? [
                      facts([
                          [
                              t('scan.loaded'),
                              scan.analysis.loaded ? t('common.yes') : t('common.no'),
                          ],
                          [
                              t('scan.declared_empty_but_loaded'),
                              scan.analysis.declared_empty_but_loaded
                                  ? t('common.yes')
                                  : t('common.no'),
                          ],
                          [
                              t('scan.density_inconsistent'),
                              scan.analysis.density_inconsistent ? t('common.yes') : t('common.no'),
                          ],
                          [t('scan.mass_ratio'), number(scan.analysis.mass_ratio)],
                          [t('scan.anomaly_score'), number(scan.analysis.anomaly_score)],
                          [t('scan.confidence'), number(scan.analysis.confidence)],
                          [t('scan.materials'), materialsWords(scan.analysis)],
                          [t('scan.algorithm'), scan.analysis.algorithm_version],
                      ]),
                      analysisRegions.length
                          ? h(
                                'ul',
                                { class: 'region-list' },
                                analysisRegions.map((region) =>
                                    h(
                                        'li',
                                        { 'data-testid': 'analysis-region-item' },
                                        t('viewer.analysis_region', {
                                            kind: word('region', region.kind),
                                            score: number(region.score),
                                            x: region.x,
                                            y: region.y,
                                            width: region.width,
                                            height: region.height,
                                        }),
                                    ),
                                ),
                            )
                          : h('p', { class: 'muted' }, t('viewer.no_analysis_regions')),
                  ]
                : h('p', { class: 'muted' }, t('scan.not_analysed')),
        ),
        h(
            'section',
            { class: 'card' },
            h('h2', null, t('viewer.regions_title')),
            regionList,
            formArea,
        ),
        h(
            'section',
            { class: 'card', 'data-testid': 'review' },
            h('h2', null, t('viewer.review_title')),
            field(t('viewer.review_note'), reviewNote),
            h(
                'div',
                { class: 'buttons' },
                h(
                    'button',
                    {
                        type: 'button',
                        class: 'secondary',
                        'data-testid': 'review-clear',
                        onclick: () => void review('clear'),
                    },
                    t('viewer.review_clear'),
                ),
                h(
                    'button',
                    {
                        type: 'button',
                        'data-testid': 'review-refer',
                        onclick: () => void review('refer'),
                    },
                    t('viewer.review_refer'),
                ),
            ),
            reviewProblems.element,
            reviewResult,
        ),
    );

    mount(
        root,
        paletteDefs(),
        h('h1', null, t('viewer.heading', { id: scan.scan_id })),
        toolbar,
        status,
        h(
            'div',
            { class: 'viewer-layout' },
            h('div', { class: 'viewer-frame' }, viewerElement, drawLayer),
            side,
        ),
    );

    const viewer = OpenSeadragon({
        element: viewerElement,
        tileSources: scan.dzi_url,
        drawer: 'canvas',
        showNavigationControl: false,
        showNavigator: true,
        navigatorPosition: 'BOTTOM_RIGHT',
        maxZoomPixelRatio: 4,
        visibilityRatio: 0.5,
        crossOriginPolicy: false,
        gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
        preserveViewport: true,
    } as OpenSeadragon.Options);
    onLeave(() => viewer.destroy());

    let materialItem: OpenSeadragon.TiledImage | null = null;

    const base = (): OpenSeadragon.TiledImage | null =>
        viewer.world.getItemCount() > 0 ? viewer.world.getItemAt(0) : null;
    const toViewport = (
        x: number,
        y: number,
        width: number,
        height: number,
    ): OpenSeadragon.Rect => {
        const image = base();
        return image
            ? image.imageToViewportRectangle(x, y, width, height)
            : viewer.viewport.imageToViewportRectangle(x, y, width, height);
    };
    const toImage = (x: number, y: number): OpenSeadragon.Point => {
        const point = new OpenSeadragon.Point(x, y);
        const image = base();
        return image
            ? image.viewerElementToImageCoordinates(point)
            : viewer.viewport.viewerElementToImageCoordinates(point);
    };

    const applyFilter = () => {
        const canvas =
            (viewer.drawer as unknown as { canvas?: HTMLElement }).canvas ??
            viewerElement.querySelector('canvas');
        if (canvas)
            canvas.style.filter = cssFilter(
                Number(contrast.value),
                Number(brightness.value),
                invert.checked,
                palette.value,
            );
    };
    for (const control of [contrast, brightness]) control.addEventListener('input', applyFilter);
    for (const control of [invert, palette]) control.addEventListener('change', applyFilter);

    const drawOverlays = () => {
        viewer.clearOverlays();
        if (!showRegions.checked) return;
        for (const region of analysisRegions)
            viewer.addOverlay({
                element: overlayElement(
                    'analysis',
                    t('viewer.overlay_analysis', {
                        kind: word('region', region.kind),
                        score: number(region.score),
                    }),
                ),
                location: toViewport(region.x, region.y, region.width, region.height),
            });
        for (const region of regions)
            viewer.addOverlay({
                element: overlayElement('drawn', region.label),
                location: toViewport(region.x, region.y, region.width, region.height),
            });
    };
    showRegions.addEventListener('change', drawOverlays);

    const addMaterials = () => {
        if (!materials.checked || !scan.materials_url) return;
        viewer.addSimpleImage({
            url: scan.materials_url,
            opacity: 0.5,
            x: 0,
            y: 0,
            width: base()?.getBounds().width ?? 1,
            success: (event: Event) => {
                materialItem = (event as unknown as { item: OpenSeadragon.TiledImage }).item;
                if (!materials.checked) removeMaterials();
            },
        });
    };
    const removeMaterials = () => {
        if (materialItem) viewer.world.removeItem(materialItem);
        materialItem = null;
    };
    materials.addEventListener('change', () =>
        materials.checked ? addMaterials() : removeMaterials(),
    );

    viewer.addHandler('open', () => {
        materialItem = null;
        applyFilter();
        drawOverlays();
        addMaterials();
        viewerElement.dataset.ready = 'true';
        status.textContent = '';
    });
    // The node writes the tile pyramid after it has analysed the scan: a scan just attached
    // may have none yet, so the viewer tries again for a while before giving up.
    const source = () =>
        (clahe.checked
            ? `${scan.dzi_url}?render=clahe`
            : scan.dzi_url) as unknown as OpenSeadragon.TileSourceSpecifier;
    let retries = 0;
    let retryTimer: number | undefined;
    onLeave(() => window.clearTimeout(retryTimer));
    viewer.addHandler('open-failed', () => {
        if (retries >= 30) {
            status.textContent = t('viewer.open_failed');
            return;
        }
        retries += 1;
        status.textContent = t('viewer.preparing');
        retryTimer = window.setTimeout(() => viewer.open(source()), 2000);
    });
    clahe.addEventListener('change', () => {
        viewerElement.dataset.ready = 'false';
        status.textContent = t('common.loading');
        retries = 0;
        viewer.open(source());
    });

    const drawList = () => {
        mount(
            regionList,
            regions.length === 0
                ? h('li', { class: 'muted' }, t('viewer.no_regions'))
                : regions.map((region) =>
                      h(
                          'li',
                          { 'data-testid': 'region-item', 'data-region-id': String(region.id) },
                          h('strong', null, region.label),
                          region.note ? ` — ${region.note}` : '',
                          h('br'),
                          h(
                              'small',
                              { class: 'muted' },
                              t('viewer.region_line', {
                                  x: region.x,
                                  y: region.y,
                                  width: region.width,
                                  height: region.height,
                                  who: region.drawn_by ?? '',
                                  at: when(region.drawn_at),
                              }),
                          ),
                      ),
                  ),
        );
    };
    drawList();

    // Draw mode: a transparent layer over the viewer takes the pointer; a drag gives a
    // rectangle in viewer-element pixels, converted to full-resolution image pixels.
    let drawing = false;
    let start: { x: number; y: number } | null = null;
    const setDrawing = (on: boolean) => {
        drawing = on;
        drawLayer.hidden = !on;
        drawButton.setAttribute('aria-pressed', on ? 'true' : 'false');
        drawButton.textContent = on ? t('viewer.drawing') : t('viewer.draw_region');
        status.textContent = on ? t('viewer.draw_hint') : '';
    };
    drawButton.addEventListener('click', () => setDrawing(!drawing));
    const local = (event: PointerEvent) => {
        const box = drawLayer.getBoundingClientRect();
        return {
            x: Math.max(0, Math.min(box.width, event.clientX - box.left)),
            y: Math.max(0, Math.min(box.height, event.clientY - box.top)),
        };
    };
    const rubberTo = (a: { x: number; y: number }, b: { x: number; y: number }) => {
        Object.assign(rubber.style, {
            left: `${Math.min(a.x, b.x)}px`,
            top: `${Math.min(a.y, b.y)}px`,
            width: `${Math.abs(a.x - b.x)}px`,
            height: `${Math.abs(a.y - b.y)}px`,
        });
    };
    drawLayer.addEventListener('pointerdown', (event) => {
        event.preventDefault();
        drawLayer.setPointerCapture(event.pointerId);
        start = local(event);
        rubber.hidden = false;
        rubberTo(start, start);
    });
    drawLayer.addEventListener('pointermove', (event) => {
        if (start) rubberTo(start, local(event));
    });
    drawLayer.addEventListener('pointerup', (event) => {
        if (!start) return;
        const end = local(event);
        const from = start;
        start = null;
        if (Math.abs(end.x - from.x) < 4 || Math.abs(end.y - from.y) < 4) {
            rubber.hidden = true;
            return;
        }
        const a = toImage(Math.min(from.x, end.x), Math.min(from.y, end.y));
        const b = toImage(Math.max(from.x, end.x), Math.max(from.y, end.y));
        const x = Math.max(0, Math.round(a.x));
        const y = Math.max(0, Math.round(a.y));
        const right = Math.min(scan.width || Number.MAX_SAFE_INTEGER, Math.round(b.x));
        const bottom = Math.min(scan.height || Number.MAX_SAFE_INTEGER, Math.round(b.y));
        setDrawing(false);
        rubber.hidden = true;
        if (right <= x || bottom <= y) {
            status.textContent = t('viewer.region_outside');
            return;
        }
        regionForm({ x, y, width: right - x, height: bottom - y });
    });

    const regionForm = (box: { x: number; y: number; width: number; height: number }) => {
        const label = h('input', {
            required: true,
            maxlength: '80',
            'data-testid': 'region-label',
        });
        const note = h('textarea', { rows: '2', 'data-testid': 'region-note' });
        const problems = problemsBox();
        const preview = {
            element: overlayElement('drawn', t('viewer.new_region')),
            location: toViewport(box.x, box.y, box.width, box.height),
        };
        viewer.addOverlay(preview);
        const close = () => {
            viewer.removeOverlay(preview.element);
            formArea.replaceChildren();
        };
        mount(
            formArea,
            h(
                'form',
                {
                    class: 'action-form',
                    'data-testid': 'region-form',
                    onsubmit: async (event: Event) => {
                        event.preventDefault();
                        problems.clear();
                        try {
                            const region = await post<Partial<DrawnRegion>>(
                                `/api/scans/${encodeURIComponent(scan.scan_id)}/regions`,
                                { ...box, label: label.value.trim(), note: note.value.trim() },
                            );
                            const fallback: DrawnRegion = {
                                ...box,
                                label: label.value.trim(),
                                note: note.value.trim(),
                                drawn_by: '',
                                drawn_at: new Date().toISOString(),
                                id: '',
                            };
                            regions.push({ ...fallback, ...region });
                            close();
                            drawList();
                            drawOverlays();
                        } catch (error) {
                            problems.show(error);
                        }
                    },
                },
                h('h3', null, t('viewer.new_region')),
                h('p', { class: 'muted' }, t('viewer.region_box', box)),
                field(t('viewer.region_label'), label),
                field(t('viewer.region_note'), note),
                problems.element,
                h(
                    'div',
                    { class: 'buttons' },
                    h(
                        'button',
                        { type: 'submit', 'data-testid': 'region-save' },
                        t('viewer.region_save'),
                    ),
                    h(
                        'button',
                        { type: 'button', class: 'secondary', onclick: close },
                        t('common.cancel'),
                    ),
                ),
            ),
        );
        label.focus();
    };

    const onKey = (event: KeyboardEvent) => {
        if (event.key === 'Escape' && drawing) setDrawing(false);
    };
    document.addEventListener('keydown', onKey);
    onLeave(() => document.removeEventListener('keydown', onKey));
}
