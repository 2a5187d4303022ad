import { batchEvents, notificationsOf } from "../../lib/alarms/alarm-events.ts";
import { evaluateBatch, RuleIndex } from "../../lib/alarms/evaluate-batch.ts";
import { NORMAL, type SubjectState } from "../../lib/alarms/state-machine.ts";
import { prisma } from "../../lib/db.ts";
import { subscribeLive } from "../../lib/live-subscription.ts";
import { publishEvents } from "../../lib/publish.ts";
import { advanceAlarmCursor, lockAlarmCursor } from "../../lib/queries/alarm-cursor.ts";
import { enqueueDeliveries } from "../../lib/queries/enqueue-deliveries.ts";
import { loadAlarmEvaluation } from "../../lib/queries/load-alarm-evaluation.ts";
import { finalReadingsAfter, readingHorizon } from "../../lib/queries/readings-by-id.ts";
import { sensorsNewestTs } from "../../lib/queries/sensors-newest-ts.ts";
import { type StateWrite, storeAlarmBatch } from "../../lib/queries/store-alarm-batch.ts";
import type { WireReading } from "../../lib/reading.ts";
import { Wakeup } from "../../lib/wakeup.ts";
import type { Job } from "../job.ts";

/** Readings per batch (one transaction). */
const BATCH = 2000;
/** How often the database is asked anyway, when no live message woke the evaluator. */
const POLL_MS = 250;
/** Sensors whose newest ts is kept in memory before the memory starts over. */
const MAX_REMEMBERED_SENSORS = 200_000;

interface Memory {
  cursor: number;
  changes: number;
  rules: RuleIndex;
  /** The states that are not normal, by rule and sensor. */
  states: Map<string, SubjectState>;
  /** The newest ts evaluated per sensor (loaded when first needed). */
  newestTs: Map<number, number>;
}

const sameRun = (a: SubjectState, b: SubjectState) =>
  a.pendingSince === b.pendingSince && a.clearingSince === b.clearingSince;
const isNormal = (s: SubjectState) =>
  s.open === null && s.pendingSince === null && s.clearingSince === null;

/**
 * Evaluates the threshold rules over the gap-free sequence of readings (finalReadingsAfter), a
 * batch per transaction. The cursor (alarm_cursor) moves in the same transaction as the alarms
 * and states the batch changed, under the cursor row's lock, so a worker killed at any point
 * resumes from the last committed batch: no reading is skipped and none is evaluated twice. The
 * memory (rules, states, open alarms) is what the database holds after the last batch; it is
 * read again when an operator changed something (alarm_cursor.changes) or after any failure.
 */
export class AlarmEvaluator {
  private memory: Memory | undefined;

  constructor(private readonly batchSize = BATCH) {}

  /** One batch; the number of readings evaluated (fewer than a batch: caught up). */
  async pass(): Promise<number> {
    try {
      return await this.evaluateNext();
    } catch (err) {
      this.memory = undefined;
      throw err;
    }
  }

  private async evaluateNext(): Promise<number> {
    const memory = this.memory ?? (await this.load());
    if (memory.rules.size === 0) return this.passWithoutRules(memory);
    const readings = await finalReadingsAfter(memory.cursor, { limit: this.batchSize });
    if (readings.length === 0) return 0;
    const events = await prisma.$transaction(
      async (tx) => {
        const cursor = await lockAlarmCursor(tx);
        if (cursor.lastReadingId !== memory.cursor || cursor.changes !== memory.changes) {
          return null; // another evaluator moved on, or an operator changed something
        }
        await this.rememberNewestTs(tx, memory, readings);
        const outcome = evaluateBatch({
          readings,
          rules: memory.rules,
          states: memory.states,
          lastTs: memory.newestTs,
        });
        const writes: StateWrite[] = [];
        for (const [key, state] of outcome.states) {
          if (sameRun(state, memory.states.get(key) ?? NORMAL)) continue;
          const [ruleId, sensorId] = key.split("/").map(Number);
          writes.push({ ruleId, sensorId, ...state });
        }
        const stored = await storeAlarmBatch(tx, outcome.alarms, writes);
        const events = batchEvents(outcome.alarms, stored);
        await enqueueDeliveries(tx, notificationsOf(events));
        const last = readings[readings.length - 1].id;
        await advanceAlarmCursor(tx, last);
        return { events, outcome, stored, last };
      },
      { timeout: 30_000 },
    );
    if (events === null) {
      this.memory = undefined;
      return this.batchSize; // look again at once
    }
    // Committed: the memory follows the database.
    const { outcome, stored } = events;
    outcome.alarms.forEach((change, i) => {
      if (change.clearedTs !== null || change.alarm.id !== null) return;
      const state = outcome.states.get(change.key);
      if (state?.open)
        outcome.states.set(change.key, { ...state, open: { ...state.open, id: stored[i].id } });
    });
    for (const [key, state] of outcome.states) {
      if (isNormal(state)) memory.states.delete(key);
      else memory.states.set(key, state);
    }
    for (const [sensor, ts] of outcome.lastTs) memory.newestTs.set(sensor, ts);
    memory.cursor = events.last;
    await publishEvents(events.events);
    return readings.length;
  }

  /**
   * No threshold rule is enabled: nothing to evaluate, so the cursor moves to the horizon without
   * reading what lies before it (a catch-up, or ingest at full speed, costs the worker nothing).
   * Under the cursor's lock, as a batch: a rule made meanwhile makes it reload instead.
   */
  private async passWithoutRules(memory: Memory): Promise<number> {
    const horizon = await readingHorizon();
    if (horizon <= memory.cursor) return 0;
    const moved = await prisma.$transaction(async (tx) => {
      const cursor = await lockAlarmCursor(tx);
      if (cursor.lastReadingId !== memory.cursor || cursor.changes !== memory.changes) return false;
      await advanceAlarmCursor(tx, horizon);
      return true;
    });
    if (!moved) {
      this.memory = undefined;
      return this.batchSize; // look again at once
    }
    memory.cursor = horizon;
    return 0;
  }

  private async load(): Promise<Memory> {
    const memory = await prisma.$transaction(async (tx) => {
      const cursor = await lockAlarmCursor(tx);
      const { rules, states } = await loadAlarmEvaluation(tx);
      return {
        cursor: cursor.lastReadingId,
        changes: cursor.changes,
        rules: new RuleIndex(rules),
        states,
        newestTs: new Map<number, number>(),
      };
    });
    this.memory = memory;
    return memory;
  }

  /** Loads the newest evaluated ts of the batch's sensors that rules watch and memory lacks. */
  private async rememberNewestTs(
    tx: Parameters<typeof sensorsNewestTs>[0],
    memory: Memory,
    readings: readonly WireReading[],
  ): Promise<void> {
    const watched = new Set<number>();
    for (const r of readings) {
      if (watched.has(r.sensor_id)) continue;
      if (memory.rules.matching(r.device_id, r.sensor_type).length > 0) watched.add(r.sensor_id);
    }
    let missing = [...watched].filter((id) => !memory.newestTs.has(id));
    if (missing.length === 0) return;
    if (memory.newestTs.size + missing.length > MAX_REMEMBERED_SENSORS) {
      memory.newestTs.clear();
      missing = [...watched];
    }
    const newest = await sensorsNewestTs(tx, missing, memory.cursor);
    for (const id of missing) memory.newestTs.set(id, newest.get(id) ?? Number.NEGATIVE_INFINITY);
  }
}

/**
 * Alarm evaluation as a worker job: it runs for as long as it holds the lease, woken by every
 * live batch of readings and looking at the database every POLL_MS anyway (Redis may be down).
 */
export function alarmEvaluatorJob(opts: { batchSize?: number } = {}): Job {
  return {
    name: "alarms",
    lockId: 3,
    intervalMs: 1000,
    firstDelayMs: 0,
    async run(signal) {
      const evaluator = new AlarmEvaluator(opts.batchSize);
      const wakeup = new Wakeup();
      const live = subscribeLive({
        readingsStored: () => wakeup.wake(),
        ready: () => wakeup.wake(),
      });
      try {
        while (!signal.aborted) {
          const evaluated = await evaluator.pass();
          if (evaluated < (opts.batchSize ?? BATCH)) await wakeup.wait(POLL_MS, signal);
        }
      } finally {
        live.close();
      }
    },
  };
}
