/// "Attach images": a scanner operator uploads a scan taken on a workstation that does not
/// send to the node itself. The form builds the scan header of docs/protocols.md ("Scan
/// ingest") and posts it with the image files as multipart/form-data.

import type { PageContext } from '../app';
import { post } from '../api/client';
import type { UploadResult } from '../api/types';
import { field, h, mount, select } from '../dom';
import { t } from '../i18n';
import { problemsBox } from '../ui';

/// Width and height of a PNG from its IHDR chunk, or null when the bytes are not a PNG.
export function pngSize(
    bytes: Uint8Array,
): { width: number; height: number; bitDepth: number } | null {
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    if (bytes.length < 26 || signature.some((value, index) => bytes[index] !== value)) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
    return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24] };
}

/// A scan id the node accepts (letters, digits and . _ : -): WEB-20261128T081500Z-4F2A.
export function webScanId(now: Date = new Date()): string {
    const stamp = now
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
    const random = Math.floor(Math.random() * 0x10000)
        .toString(16)
        .toUpperCase()
        .padStart(4, '0');
    return `WEB-${stamp}-${random}`;
}

/// `YYYY-MM-DDTHH:MM:SSZ` from a datetime-local value read as UTC.
function utcStamp(local: string): string {
    const value = local.length === 16 ? `${local}:00` : local;
    return `${value.slice(0, 19)}Z`;
}

async function readSize(file: File, label: string): Promise<{ width: number; height: number }> {
    const size = pngSize(new Uint8Array(await file.slice(0, 32).arrayBuffer()));
    if (!size) throw new Error(t('attach.not_png', { file: file.name, channel: label }));
    if (size.bitDepth !== 16)
        throw new Error(t('attach.not_16bit', { file: file.name, depth: size.bitDepth }));
    return size;
}

export function attachPage(context: PageContext): void {
    const { root } = context;
    const now = new Date().toISOString().slice(0, 16);
    const scannerId = h('input', {
        name: 'scanner_id',
        required: true,
        value: localStorage.getItem('portscreen.scanner_id') ?? '',
        'data-testid': 'attach-scanner',
    });
    const number = h('input', {
        name: 'container_number',
        required: true,
        class: 'mono',
        autocapitalize: 'characters',
        spellcheck: 'false',
        value: context.search.get('container') ?? '',
        'data-testid': 'attach-container',
    });
    const scannedAt = h('input', {
        type: 'datetime-local',
        name: 'scanned_at',
        required: true,
        value: now,
        'data-testid': 'attach-scanned-at',
    });
    const view = select({ name: 'view', 'data-testid': 'attach-view' }, [
        ['side', t('attach.view_side')],
        ['top', t('attach.view_top')],
    ]);
    const mode = select({ name: 'mode', 'data-testid': 'attach-mode' }, [
        ['dual', t('attach.mode_dual')],
        ['single', t('attach.mode_single')],
    ]);
    const energyHigh = h('input', {
        type: 'number',
        name: 'energy_high',
        min: '0.1',
        max: '20',
        step: 'any',
        required: true,
        value: '6',
        'data-testid': 'attach-energy-high',
    });
    const energyLow = h('input', {
        type: 'number',
        name: 'energy_low',
        min: '0.1',
        max: '20',
        step: 'any',
        required: true,
        value: '4',
        'data-testid': 'attach-energy-low',
    });
    const air = h('input', {
        type: 'number',
        name: 'air_value',
        min: '1',
        max: '65535',
        step: '1',
        required: true,
        value: '60000',
        'data-testid': 'attach-air',
    });
    const along = h('input', {
        type: 'number',
        name: 'along_scan',
        min: '0.01',
        max: '100',
        step: 'any',
        required: true,
        value: '2.4',
        'data-testid': 'attach-along',
    });
    const detector = h('input', {
        type: 'number',
        name: 'detector',
        min: '0.01',
        max: '100',
        step: 'any',
        required: true,
        value: '2.75',
        'data-testid': 'attach-detector',
    });
    const high = h('input', {
        type: 'file',
        name: 'high',
        accept: 'image/png',
        'data-testid': 'attach-high',
    });
    const low = h('input', {
        type: 'file',
        name: 'low',
        accept: 'image/png',
        'data-testid': 'attach-low',
    });
    const single = h('input', {
        type: 'file',
        name: 'single',
        accept: 'image/png',
        'data-testid': 'attach-single',
    });
    const problems = problemsBox();
    const result = h('div', {
        role: 'status',
        'aria-live': 'polite',
        'data-testid': 'attach-result',
    });
    const submit = h(
        'button',
        { type: 'submit', 'data-testid': 'attach-submit' },
        t('attach.submit'),
    );

    const dualFields = h(
        'div',
        { class: 'row' },
        field(t('attach.file_high'), high),
        field(t('attach.file_low'), low),
    );
    const singleFields = h('div', { hidden: true }, field(t('attach.file_single'), single));
    const lowEnergyField = field(t('attach.energy_low'), energyLow);
    const toggleMode = () => {
        const dual = mode.value === 'dual';
        dualFields.hidden = !dual;
        singleFields.hidden = dual;
        lowEnergyField.hidden = !dual;
        energyLow.required = dual;
        high.required = dual;
        low.required = dual;
        single.required = !dual;
    };
    mode.addEventListener('change', toggleMode);
    toggleMode();

    const onSubmit = async (event: Event) => {
        event.preventDefault();
        problems.clear();
        result.replaceChildren();
        submit.disabled = true;
        try {
            const dual = mode.value === 'dual';
            const files: Array<[string, File]> = dual
                ? [
                      ['high', high.files?.[0] as File],
                      ['low', low.files?.[0] as File],
                  ]
                : [['single', single.files?.[0] as File]];
            if (files.some(([, file]) => !file)) throw new Error(t('attach.files_missing'));
            const images = [];
            for (const [channel, file] of files) {
                const size = await readSize(file, channel);
                images.push({ channel, format: 'png', width: size.width, height: size.height });
            }
            const scanId = webScanId();
            const header: Record<string, unknown> = {
                scan_id: scanId,
                scanner_id: scannerId.value.trim(),
                containers: [number.value.trim().toUpperCase()],
                scanned_at: utcStamp(scannedAt.value),
                view: view.value,
                energies_mev: dual
                    ? { high: Number(energyHigh.value), low: Number(energyLow.value) }
                    : { high: Number(energyHigh.value) },
                air_value: Number(air.value),
                pixel_spacing_mm: {
                    along_scan: Number(along.value),
                    detector: Number(detector.value),
                },
                images,
            };
            const body = new FormData();
            body.append('header', JSON.stringify(header));
            for (const [channel, file] of files) body.append(channel, file, file.name);
            localStorage.setItem('portscreen.scanner_id', scannerId.value.trim());
            const answer = await post<UploadResult>('/api/scans', body);
            const texts = (answer.problems ?? []).map((problem) =>
                typeof problem === 'string'
                    ? problem
                    : [problem.path, problem.message].filter(Boolean).join(': '),
            );
            mount(
                result,
                h(
                    'p',
                    {
                        class: answer.status === 'refused' ? 'problems' : 'done',
                        'data-testid': 'attach-status',
                        'data-status': answer.status,
                    },
                    t(`attach.status_${answer.status}`, { id: answer.scan_id ?? scanId }),
                ),
                texts.length
                    ? h(
                          'ul',
                          null,
                          texts.map((text) => h('li', null, text)),
                      )
                    : null,
                answer.status !== 'refused'
                    ? h(
                          'p',
                          null,
                          h(
                              'a',
                              {
                                  href: `/scan/${encodeURIComponent(answer.scan_id ?? scanId)}`,
                                  'data-testid': 'attach-open-viewer',
                              },
                              t('attach.open_viewer'),
                          ),
                      )
                    : null,
            );
        } catch (error) {
            problems.show(error);
        } finally {
            submit.disabled = false;
        }
    };

    mount(
        root,
        h('h1', null, t('attach.title')),
        h('p', { class: 'lead' }, t('attach.intro')),
        h(
            'form',
            { class: 'card', 'data-testid': 'attach-form', onsubmit: onSubmit },
            h(
                'div',
                { class: 'row' },
                field(t('attach.container_number'), number),
                field(t('attach.scanner_id'), scannerId),
            ),
            h(
                'div',
                { class: 'row' },
                field(t('attach.scanned_at'), scannedAt, t('attach.scanned_at_hint')),
                field(t('attach.view'), view),
                field(t('attach.mode'), mode),
            ),
            h(
                'fieldset',
                null,
                h('legend', null, t('attach.scanner_settings')),
                h(
                    'div',
                    { class: 'row' },
                    field(t('attach.energy_high'), energyHigh),
                    lowEnergyField,
                    field(t('attach.air_value'), air),
                ),
                h(
                    'div',
                    { class: 'row' },
                    field(t('attach.spacing_along'), along),
                    field(t('attach.spacing_detector'), detector),
                ),
            ),
            dualFields,
            singleFields,
            problems.element,
            submit,
        ),
        result,
    );
}
