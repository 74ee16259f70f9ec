// Times the officer's queue page in Chromium: logs in as the officer, opens the queue of the
// busiest stored day five times and prints how long each took from navigation start until the
// first queue row was drawn and visible, then the median. Run by `run.py --only-timing`, with
// the same environment as the browser tests (PORTSCREEN_URL, PORTSCREEN_ACCOUNTS,
// PORTSCREEN_DATA). Prints figures; asserts nothing but that the rows appear.

import { baseUrl, launch, login, newPage, skipReason, sqlite } from './harness.mjs';

const kRuns = 5;

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
    const skip = skipReason();
    if (skip) {
        console.error(`queue timing cannot run: ${skip}`);
        return 1;
    }
    const day =
        sqlite(
            'select substr(v.eta, 1, 10) from vessel_calls v join containers c ' +
                'on c.vessel_call_id = v.id group by 1 order by count(*) desc limit 1',
        ) || '';
    const containers = day
        ? sqlite(
              'select count(*) from containers c join vessel_calls v on v.id = c.vessel_call_id ' +
                  `where substr(v.eta, 1, 10) = '${day}'`,
          )
        : '?';
    const browser = await launch();
    try {
        const page = await newPage(browser);
        await login(page, 'officer');
        // The login page's session probe answers 401 before logging in: not the queue's fault.
        page.consoleErrors = [];
        const drawn = [];
        for (let run = 1; run <= kRuns; run += 1) {
            const started = Date.now();
            await page.goto(`${baseUrl}/queue${day ? `?day=${day}` : ''}`);
            await page.locator('[data-testid="queue-row"]').first().waitFor({
                state: 'visible',
                timeout: 30_000,
            });
            const wall = Date.now() - started;
            // The page marks the moment it drew the rows; startTime counts from navigation
            // start. Without the mark, the wall clock from goto is the (larger) figure.
            const mark = await page.evaluate(
                () => performance.getEntriesByName('portscreen:queue-rows')[0]?.startTime ?? null,
            );
            const ms = mark === null ? wall : Math.round(mark);
            drawn.push(ms);
            const rows = await page.getByTestId('queue-row').count();
            console.log(
                `queue first rows drawn in ${ms} ms (run ${run}, wall clock from goto ${wall} ms, ${rows} rows on the page)`,
            );
        }
        console.log(
            `queue first rows drawn: median ${median(drawn)} ms of ${kRuns} runs, day ${day} of ${containers} containers`,
        );
        if (page.consoleErrors.length > 0)
            console.log(`console errors: ${page.consoleErrors.join(' | ')}`);
        return 0;
    } finally {
        await browser.close();
    }
}

process.exitCode = await main();
