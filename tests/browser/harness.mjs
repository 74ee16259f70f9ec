// Shared set-up of the browser tests: the environment the lead's harness passes, Chromium
// from the system (never downloaded), logging in through the login form, screenshots, and the
// node's database through the sqlite3 command line.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const baseUrl = (process.env.PORTSCREEN_URL ?? '').replace(/\/+$/, '');

/// Why the suite cannot run here, or '' when it can.
export function skipReason() {
    if (!baseUrl)
        return 'PORTSCREEN_URL is not set: these tests need a running port node (portscreen serve --http) with demo data';
    if (!process.env.PORTSCREEN_ACCOUNTS) return 'PORTSCREEN_ACCOUNTS is not set';
    if (!loadPlaywright()) return 'playwright-core is not installed: run npm ci in ui-web/frontend';
    return '';
}

let playwright;
function loadPlaywright() {
    if (playwright !== undefined) return playwright;
    try {
        const require = createRequire(
            new URL('../../ui-web/frontend/package.json', import.meta.url),
        );
        playwright = require('playwright-core');
    } catch {
        playwright = null;
    }
    return playwright;
}

export function accounts() {
    return JSON.parse(process.env.PORTSCREEN_ACCOUNTS ?? '{}');
}

export function scanFiles() {
    const text = process.env.PORTSCREEN_SCAN_FILES;
    return text ? JSON.parse(text) : null;
}

const artifacts = process.env.PORTSCREEN_ARTIFACTS ?? '';
if (artifacts) mkdirSync(artifacts, { recursive: true });

export async function screenshot(page, name) {
    if (!artifacts) return;
    await page.screenshot({
        path: path.join(artifacts, `${name}.png`),
        fullPage: true,
    });
}

export async function launch() {
    return loadPlaywright().chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: [
            '--headless=new',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
        timeout: 30_000,
    });
}

/// A new browser context (its own cookies) with a page; console errors are kept for messages.
export async function newPage(browser) {
    const context = await browser.newContext({
        viewport: { width: 1366, height: 900 },
        acceptDownloads: true,
        locale: 'en-GB',
    });
    context.setDefaultTimeout(20_000);
    context.setDefaultNavigationTimeout(20_000);
    const page = await context.newPage();
    page.consoleErrors = [];
    page.on('console', (message) => {
        if (message.type() === 'error') page.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => page.consoleErrors.push(String(error)));
    return page;
}

/// Logs in as `role` through the form and waits for the role's home page.
export async function login(page, role) {
    const account = accounts()[role];
    if (!account) throw new Error(`PORTSCREEN_ACCOUNTS has no ${role} account`);
    await page.goto(`${baseUrl}/login`);
    await page.getByTestId('login-username').fill(account.username);
    await page.getByTestId('login-password').fill(account.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname !== '/login', {
        timeout: 15_000,
    });
}

/// The first column of the first row of `sql` on the node's database, or null.
export function sqlite(sql) {
    const data = process.env.PORTSCREEN_DATA;
    if (!data) return null;
    const out = execFileSync('sqlite3', ['-readonly', path.join(data, 'portscreen.db'), sql], {
        encoding: 'utf8',
        timeout: 15_000,
    });
    return out.trim();
}

/// Rows of a CSV text (RFC 4180: quoted fields may hold commas, quotes and newlines).
export function parseCsv(text) {
    const rows = [];
    let row = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i += 1) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') {
                field += '"';
                i += 1;
            } else if (c === '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c === '"') {
            quoted = true;
        } else if (c === ',') {
            row.push(field);
            field = '';
        } else if (c === '\n' || c === '\r') {
            if (c === '\r' && text[i + 1] === '\n') i += 1;
            row.push(field);
            rows.push(row);
            row = [];
            field = '';
        } else {
            field += c;
        }
    }
    if (field !== '' || row.length > 0) {
        row.push(field);
        rows.push(row);
    }
    return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/// Today as YYYY-MM-DD in UTC, as the frontend's default period ends.
export function todayUtc() {
    return new Date().toISOString().slice(0, 10);
}
