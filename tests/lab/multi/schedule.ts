/**
 * The messy-links lab's schedule (tests/lab/messy-links.test.ts judges what it produced): which scenario runs
 * in which world and commune, for how long, side by side where they do not interfere.
 *
 *   world 1 (cuts)      commune 1: long cut → LAN cut; commune 2: short cut → DNS failure → agent SIGKILL;
 *                       commune 3: flapping link → congested uplink
 *   world 2 (loss)      communes 1 and 2: 10 % and 30 % loss together; then commune 3: 60 % loss
 *   world 3 (vendor)    vendor outage at all communes → vendor outage + commune 1 cut → server restart
 *                       (SIGKILL) during commune 1's open DNS incident
 */
import { LAB_INCIDENTS, type World } from '../multi-lab.js';
import { congestion, cut, dnsFailure, flap, lanCut, loss, sleep } from './faults.js';
import { runScenario, type ScenarioOutcome } from './scenario.js';
import { waitUntilOrFalse } from './wait.js';

export const SHORT_CUT_MS = 15_000; // under the 30 s silence threshold
export const LONG_CUT_MS = 50_000; // over it, with the 5 s check and a margin
export const LAN_CUT_MS = 20_000;
export const DNS_MS = 20_000;
export const LOSS_MS = 40_000;
export const CONGESTION_MS = 40_000;
export const FLAP_PERIOD_MS = 8_000; // cut 8 s, heal 8 s: 4 cycles (issue: every 40 s for 5 min, scaled by 5)
export const FLAP_CYCLES = 4;
export const VENDOR_MS = 25_000;
export const AGENT_DOWN_MS = 45_000;

/** Plays every scenario, recording each outcome; one failing world does not stop the others. */
export async function playSchedule(
  [w1, w2, w3]: readonly [World, World, World],
  record: (o: ScenarioOutcome) => void,
): Promise<PromiseSettledResult<void>[]> {
  const cutsWorld = async () => {
    const c1 = async () => {
      record(
        await runScenario('long cut', w1, [w1.commune(1)], async (s) => {
          const f = cut(w1.commune(1));
          s.mark('cut', f.injectedAt);
          await sleep(LONG_CUT_MS);
          s.mark('heal', f.heal());
        }),
      );
      record(
        await runScenario('LAN cut', w1, [w1.commune(1)], async (s) => {
          const f = lanCut(w1.commune(1));
          s.mark('cut', f.injectedAt);
          await sleep(LAN_CUT_MS);
          s.mark('heal', f.heal());
        }),
      );
    };
    const c2 = async () => {
      record(
        await runScenario('short cut', w1, [w1.commune(2)], async (s) => {
          const f = cut(w1.commune(2));
          s.mark('cut', f.injectedAt);
          await sleep(SHORT_CUT_MS);
          s.mark('heal', f.heal());
        }),
      );
      record(
        await runScenario('DNS failure', w1, [w1.commune(2)], async (s) => {
          const f = dnsFailure(w1.net.dcNs, w1.commune(2));
          s.mark('fault', f.injectedAt);
          await sleep(DNS_MS);
          s.mark('heal', f.heal());
        }),
      );
      record(
        await runScenario('agent SIGKILL', w1, [w1.commune(2)], async (s) => {
          s.mark('kill', await w1.killAgent(2, 'SIGKILL'));
          await sleep(AGENT_DOWN_MS);
          w1.startAgent(2);
          s.mark('restart');
        }),
      );
    };
    const c3 = async () => {
      record(
        await runScenario(
          'flapping link',
          w1,
          [w1.commune(3)],
          async (s) => {
            const t = await flap(w1.commune(3), FLAP_PERIOD_MS, FLAP_CYCLES);
            t.cuts.forEach((at) => s.mark('cut', at));
            t.heals.forEach((at) => s.mark('heal', at));
          },
          { closeMs: (LAB_INCIDENTS.flap.stableSec + 20) * 1000 },
        ),
      );
      record(
        await runScenario('congested uplink', w1, [w1.commune(3)], async (s) => {
          const f = congestion(w1.commune(3), w1.load(3));
          s.mark('fault', f.injectedAt);
          await sleep(CONGESTION_MS);
          s.mark('heal', f.heal());
        }),
      );
    };
    await Promise.all([c1(), c2(), c3()]);
  };

  const lossWorld = async () => {
    const lossy = (index: number, pct: number) =>
      runScenario(`loss ${pct} %`, w2, [w2.commune(index)], async (s) => {
        const f = loss(w2.commune(index), pct);
        s.mark('fault', f.injectedAt);
        await sleep(LOSS_MS);
        s.mark('heal', f.heal());
      });
    (await Promise.all([lossy(1, 10), lossy(2, 30)])).forEach(record);
    record(await lossy(3, 60));
  };

  const vendorWorld = async () => {
    const all = w3.communes;
    record(
      await runScenario('vendor outage at all communes', w3, all, async (s) => {
        s.mark('fault', await w3.vendor('/motcua/dang-nhap', 'error503'));
        await sleep(VENDOR_MS);
        s.mark('heal', await w3.vendor('/motcua/dang-nhap', 'ok'));
      }),
    );
    record(
      await runScenario('vendor outage + one commune cut', w3, all, async (s) => {
        // The cut brackets the vendor outage, so commune 1 never sees the vendor fail.
        const f = cut(w3.commune(1));
        s.mark('cut', f.injectedAt);
        try {
          await sleep(2000);
          s.mark('fault', await w3.vendor('/motcua/dang-nhap', 'error503'));
          await sleep(VENDOR_MS - 5000);
          s.mark('vendor-heal', await w3.vendor('/motcua/dang-nhap', 'ok'));
          await sleep(3000);
        } finally {
          s.mark('heal', f.heal());
        }
      }),
    );
    record(
      await runScenario('server restart during an open incident', w3, [w3.commune(1)], async (s) => {
        const c = w3.commune(1);
        const f = dnsFailure(w3.net.dcNs, c);
        s.mark('fault', f.injectedAt);
        try {
          // Restart only once the incident is open and announced: that is the state that must survive.
          const announced = await waitUntilOrFalse(
            () =>
              w3
                .messages()
                .filter(
                  (m) =>
                    m.receivedAt >= f.injectedAt &&
                    m.firing.some((a) => a.cause === 'commune-network' && a.communes.some((x) => x.code === c.code)),
                ),
            (ms) => ms.length > 0,
            { timeoutMs: 25_000, everyMs: 250 },
          );
          if (!announced) s.note('no FIRING for the DNS incident within 25 s; restarting anyway');
          s.mark('server-kill');
          await w3.stopServer('SIGKILL');
          await sleep(3000);
          await w3.startServer();
          s.mark('server-up');
          await sleep(8000);
        } finally {
          s.mark('heal', f.heal());
        }
      }),
    );
  };
  return Promise.allSettled([cutsWorld(), lossWorld(), vendorWorld()]);
}
