// Browser tests of the portscreen web UI against a running port node with demo data.
// The lead's harness passes PORTSCREEN_URL, PORTSCREEN_ACCOUNTS, PORTSCREEN_DATA,
// PORTSCREEN_ARTIFACTS and PORTSCREEN_SCAN_FILES; without PORTSCREEN_URL everything skips.
// The scenarios run in order in one browser: the officer's seizure is what the manager's
// dashboard and export must show.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
    baseUrl,
    launch,
    login,
    newPage,
    parseCsv,
    scanFiles,
    screenshot,
    skipReason,
    sqlite,
    todayUtc,
} from './harness.mjs';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

const kTestTimeout = 60_000;
const homes = {
    officer: '/queue',
    operator: '/worklist',
    manager: '/manager',
    admin: '/users',
};
const homeReady = {
    officer: '[data-testid="queue-table"]',
    operator: '[data-testid="worklist-table"], [data-testid="worklist-empty"]',
    manager: '[data-testid="stat-findings"]',
    admin: '[data-testid="users-table"]',
};

describe('portscreen web UI', { skip: skip || false }, () => {
    let browser;
    // The container the officer closes with a seizure (read by the manager's checks).
    const seized = { id: 0, number: '' };

    before(async () => {
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
    });

    test('each role logs in and lands on its home page', { timeout: kTestTimeout }, async () => {
        for (const role of ['officer', 'operator', 'manager', 'admin']) {
            const page = await newPage(browser);
            try {
                await login(page, role);
                await page.waitForURL((url) => url.pathname === homes[role]);
                await page.waitForSelector(homeReady[role]);
                const who = await page.getByTestId('current-user').textContent();
                assert.match(who ?? '', /\(.+\)/, `top bar names the ${role} and the role`);
                await screenshot(page, `home-${role}`);
            } finally {
                await page.context().close();
            }
        }
    });

    test('a wrong password is refused on the login page', { timeout: kTestTimeout }, async () => {
        const page = await newPage(browser);
        try {
            await page.goto(`${baseUrl}/login`);
            await page.getByTestId('login-username').fill('officer-who-does-not-exist');
            await page.getByTestId('login-password').fill('wrong password');
            await page.getByTestId('login-submit').click();
            await page.getByTestId('login-error').waitFor({ state: 'visible' });
            assert.equal(new URL(page.url()).pathname, '/login');
        } finally {
            await page.context().close();
        }
    });

    test('the queue draws its first rows quickly', { timeout: kTestTimeout }, async () => {
        const page = await newPage(browser);
        try {
            await login(page, 'officer');
            const day = sqlite('select substr(max(v.eta), 1, 10) from vessel_calls v') || '';
            const started = Date.now();
            await page.goto(`${baseUrl}/queue${day ? `?day=${day}` : ''}`);
            await page.waitForSelector('[data-testid="queue-row"]', {
                timeout: 20_000,
            });
            const wall = Date.now() - started;
            const mark = await page.evaluate(
                () => performance.getEntriesByName('portscreen:queue-rows')[0]?.startTime ?? null,
            );
            console.log(
                `queue first rows drawn in ${mark === null ? wall : Math.round(mark)} ms (wall clock from goto: ${wall} ms)`,
            );
            await screenshot(page, 'queue');
        } finally {
            await page.context().close();
        }
    });

    test(
        'the officer selects a container from the queue, orders a scan and records a seizure',
        { timeout: kTestTimeout },
        async () => {
            const candidate = sqlite(
                "select substr(v.eta, 1, 10) || '|' || c.id || '|' || c.number from scores s " +
                    'join containers c on c.id = s.container_id join vessel_calls v on v.id = c.vessel_call_id ' +
                    'where c.id not in (select container_id from workflow) ' +
                    'and c.id not in (select container_id from selections) ' +
                    'and c.id not in (select container_id from outcomes) ' +
                    'order by v.eta desc, s.score desc limit 1',
            );
            const [day, idText, number] = (candidate ?? '').split('|');
            const page = await newPage(browser);
            try {
                await login(page, 'officer');
                const search = new URLSearchParams({ state: 'scored' });
                if (day) search.set('day', day);
                if (number) search.set('q', number);
                await page.goto(`${baseUrl}/queue?${search}`);
                const row = number
                    ? page.locator(`[data-testid="queue-row"][data-number="${number}"]`)
                    : page.getByTestId('queue-row').first();
                await row.waitFor();
                // keyboard: the first row is highlighted; j/k move, Enter opens
                const rows = await page.getByTestId('queue-row').count();
                const index = await row.evaluate((el) =>
                    [...el.parentElement.children].indexOf(el),
                );
                for (let i = 0; i < index && i < rows; i += 1) await page.keyboard.press('j');
                await page.keyboard.press('Enter');
                await page.waitForURL(/\/container\/\d+$/);
                seized.id = Number(new URL(page.url()).pathname.split('/').pop());
                seized.number = (await page.getByTestId('container-number').textContent()).trim();
                if (idText)
                    assert.equal(
                        seized.id,
                        Number(idText),
                        'Enter opened the highlighted container',
                    );

                const workflowState = () =>
                    page
                        .locator('[data-testid="workflow"] [data-testid="state-badge"]')
                        .getAttribute('data-state');

                await page.getByTestId('action-select').click();
                await page.getByTestId('action-lane').selectOption('red');
                await page
                    .getByTestId('action-reason')
                    .fill('browser test: selected from the queue');
                await page.getByTestId('action-confirm').click();
                await page.locator('[data-testid="workflow"] [data-state="selected"]').waitFor();
                assert.equal(await workflowState(), 'selected');
                assert.equal(
                    await page
                        .locator('[data-testid="workflow"] [data-lane]')
                        .getAttribute('data-lane'),
                    'red',
                );

                await page.getByTestId('action-order_scan').click();
                await page.getByTestId('action-confirm').click();
                await page
                    .locator('[data-testid="workflow"] [data-state="scan_ordered"]')
                    .waitFor();

                await page.getByTestId('action-record_outcome').click();
                const form = page.getByTestId('outcome-form');
                await form.getByTestId('outcome-result').selectOption('seizure');
                await form.getByTestId('outcome-inspected-on').fill(todayUtc());
                await form.getByTestId('outcome-method').selectOption('physical');
                await form.getByTestId('outcome-category').selectOption('drugs');
                await form
                    .getByTestId('outcome-description')
                    .fill('cocaine in a false wall (browser test)');
                await form.getByTestId('outcome-quantity').fill('12.5');
                await form.getByTestId('outcome-unit').selectOption('kg');
                await form.getByTestId('outcome-concealment').selectOption('false_wall');
                await form.getByTestId('outcome-detection').selectOption('x_ray');
                await form.getByTestId('outcome-place').fill('KEMBA');
                await form.getByTestId('outcome-submit').click();
                await page.locator('[data-testid="workflow"] [data-state="closed"]').waitFor();
                assert.match(await page.getByTestId('outcome').textContent(), /Seizure/);
                const transitions = await page.getByTestId('transition').count();
                assert.ok(transitions >= 3, `three transitions listed, got ${transitions}`);
                await screenshot(page, 'container-seizure');

                const stored = sqlite(
                    `select result || '|' || category from outcomes where container_id = ${seized.id}`,
                );
                if (stored !== null)
                    assert.equal(stored, 'seizure|drugs', 'the outcome is in the database');
            } finally {
                await page.context().close();
            }
        },
    );

    // The scan the operator uploaded (its viewer path), for the region test.
    let uploadedScan = '';

    test('the operator attaches the images of a scan', { timeout: kTestTimeout }, async (t) => {
        const files = scanFiles();
        if (!files) {
            t.skip('PORTSCREEN_SCAN_FILES is not set');
            return;
        }
        const page = await newPage(browser);
        try {
            await login(page, 'operator');
            await page.goto(
                `${baseUrl}/attach?container=${encodeURIComponent(files.container_number)}`,
            );
            await page.getByTestId('attach-scanner').fill('BROWSER-TEST');
            await page.getByTestId('attach-high').setInputFiles(files.high);
            await page.getByTestId('attach-low').setInputFiles(files.low);
            await page.getByTestId('attach-submit').click();
            const status = page.getByTestId('attach-status');
            const problems = page.getByTestId('form-problems');
            await page
                .locator(
                    '[data-testid="attach-status"], [data-testid="form-problems"]:not([hidden])',
                )
                .first()
                .waitFor({ timeout: 50_000 });
            if (await problems.isVisible())
                assert.fail(`upload refused: ${await problems.textContent()}`);
            const result = await status.getAttribute('data-status');
            assert.ok(['stored', 'duplicate'].includes(result), `upload ${result}`);
            await screenshot(page, 'attach');
            const href = await page.getByTestId('attach-open-viewer').getAttribute('href');
            assert.match(href, /^\/scan\/WEB-/);
            uploadedScan = decodeURIComponent(href.slice('/scan/'.length));
            const stored = sqlite(`select count(*) from scans where scan_id = '${uploadedScan}'`);
            if (stored !== null) assert.equal(stored, '1', 'the scan is in the database');
        } finally {
            await page.context().close();
        }
    });

    test(
        'the operator draws a region on a scan in the viewer',
        { timeout: kTestTimeout },
        async (t) => {
            // The uploaded scan once the node has analysed it (the tile pyramid follows the
            // analysis), else the latest analysed scan of the demo data.
            let scanId = uploadedScan;
            const analysed = (id) =>
                sqlite(
                    'select count(*) from scan_analyses a join scans s on s.id = a.scan_row ' +
                        `where s.scan_id = '${id}'`,
                );
            if (scanId && analysed(scanId) === '0') {
                const latest = sqlite(
                    'select s.scan_id from scans s join scan_analyses a on a.scan_row = s.id ' +
                        'order by a.id desc limit 1',
                );
                if (latest) scanId = latest;
            }
            if (!scanId) {
                t.skip('no scan to draw on (PORTSCREEN_SCAN_FILES unset and no analysed scan)');
                return;
            }
            const page = await newPage(browser);
            try {
                await login(page, 'operator');
                const scanPath = `/scan/${encodeURIComponent(scanId)}`;
                await page.goto(`${baseUrl}${scanPath}`);
                // a scan just attached may have no pyramid yet: the viewer retries by itself
                await page
                    .locator('[data-testid="viewer"][data-ready="true"]')
                    .waitFor({ timeout: 45_000 });

                const label = `browser-${Date.now()}`;
                await page.getByTestId('draw-region').click();
                const box = await page.getByTestId('draw-layer').boundingBox();
                await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.42);
                await page.mouse.down();
                await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, {
                    steps: 5,
                });
                await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.56, {
                    steps: 5,
                });
                await page.mouse.up();
                await page.getByTestId('region-form').waitFor();
                await page.getByTestId('region-label').fill(label);
                await page.getByTestId('region-note').fill('dense block behind the front wall');
                await page.getByTestId('region-save').click();
                await page.locator('[data-testid="region-item"]', { hasText: label }).waitFor();
                assert.ok(
                    (await page.locator('.region-overlay.drawn').count()) >= 1,
                    'the region is drawn over the image',
                );
                await screenshot(page, 'viewer-region');

                await page.goto(`${baseUrl}${scanPath}`);
                await page.locator('[data-testid="region-item"]', { hasText: label }).waitFor();
                const stored = sqlite(`select count(*) from scan_regions where label = '${label}'`);
                if (stored !== null) assert.equal(stored, '1', 'the region is in the database');
            } finally {
                await page.context().close();
            }
        },
    );

    test(
        'the manager sees the seizure on the dashboard and exports matching figures',
        { timeout: kTestTimeout },
        async () => {
            const page = await newPage(browser);
            try {
                await login(page, 'manager');
                await page.waitForURL((url) => url.pathname === '/manager');
                const findingsText = await page.getByTestId('stat-findings').textContent();
                const findings = Number(findingsText.replace(/[^\d]/g, ''));
                if (seized.id)
                    assert.ok(
                        findings >= 1,
                        `the dashboard counts the seizure (findings: ${findingsText})`,
                    );
                await screenshot(page, 'dashboard');

                const from = await page.getByTestId('period-from').inputValue();
                const to = await page.getByTestId('period-to').inputValue();
                const link = page.getByTestId('export-seizures-csv');
                const href = await link.getAttribute('href');
                assert.match(href, /^\/api\/exports\/seizures\.csv\?/);
                const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
                const text = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
                const rows = parseCsv(text);
                assert.ok(rows.length >= 1, 'the export has a header row');
                const dataRows = rows.slice(1);
                if (seized.number)
                    assert.ok(
                        dataRows.some((row) => row.includes(seized.number)),
                        `${seized.number} is in the seizure report`,
                    );
                const expected = sqlite(
                    `select count(*) from outcomes where result = 'seizure' and inspected_on between '${from}' and '${to}'`,
                );
                if (expected !== null) {
                    assert.equal(
                        dataRows.length,
                        Number(expected),
                        'seizure rows in the CSV = seizures in the database for the period',
                    );
                    assert.equal(
                        findings,
                        Number(expected),
                        'findings on the dashboard = seizures in the database for the period',
                    );
                }
            } finally {
                await page.context().close();
            }
        },
    );

    test('a denied page shows the server refusal', { timeout: kTestTimeout }, async () => {
        const page = await newPage(browser);
        try {
            await login(page, 'operator');
            await page.goto(`${baseUrl}/manager`);
            const refusal = page.getByTestId('error-forbidden');
            await refusal.waitFor();
            const text = (await refusal.getByTestId('error-text').textContent()).trim();
            assert.ok(text.length > 0, 'the 403 text is shown');
            console.log(`operator on /manager: "${text}"`);
            await screenshot(page, 'denied');
        } finally {
            await page.context().close();
        }
    });

    test(
        'the administrator lists users and verifies the audit chain',
        { timeout: kTestTimeout },
        async () => {
            const page = await newPage(browser);
            try {
                await login(page, 'admin');
                await page.getByTestId('users-table').waitFor();
                assert.ok(
                    (await page.getByTestId('user-row').count()) >= 4,
                    'the four demo accounts are listed',
                );
                await page.goto(`${baseUrl}/audit`);
                await page.getByTestId('audit-row').first().waitFor();
                await page.getByTestId('audit-verify').click();
                const verdict = page.locator('[data-testid="audit-verify-result"][data-ok]');
                await verdict.waitFor();
                assert.equal(
                    await verdict.getAttribute('data-ok'),
                    'true',
                    await verdict.textContent(),
                );
                await screenshot(page, 'audit');
            } finally {
                await page.context().close();
            }
        },
    );
});
