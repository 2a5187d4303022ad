import { createServer, type Server } from "node:http";
import { writeError } from "../lib/api/errors.ts";
import type { Config } from "../lib/config.ts";
import { disconnectDatabase } from "../lib/db.ts";
import { notFound } from "../lib/errors.ts";
import { writeHealth } from "../lib/health.ts";
import { log } from "../lib/log.ts";
import { connectPublisher, disconnectPublisher } from "../lib/publish.ts";
import { databaseUp } from "../lib/queries/database-up.ts";
import { JobRunner } from "./job-runner.ts";
import { alarmEvaluatorJob } from "./jobs/alarm-evaluator.ts";
import { retentionJob } from "./jobs/retention.ts";
import { rollups } from "./jobs/rollups.ts";
import { silenceJob } from "./jobs/silence-alarms.ts";
import { sweeper } from "./jobs/sweeper.ts";
import { webhookDeliveryJob } from "./jobs/webhook-delivery.ts";

/**
 * The worker process: BoCloud's background jobs, each run by one worker at a time (see
 * JobRunner), so any number of workers may run. GET /health on 127.0.0.1:WORKER_PORT says
 * whether PostgreSQL answers and which jobs this worker holds.
 */
export class Worker {
  readonly runner = new JobRunner([
    sweeper,
    retentionJob(),
    rollups,
    alarmEvaluatorJob(),
    silenceJob,
    webhookDeliveryJob(),
  ]);
  private readonly server: Server;

  constructor(private readonly config: Config) {
    this.server = createServer((req, res) => {
      if (req.method !== "GET" || req.url !== "/health") {
        writeError(res, notFound("Not found."));
        return;
      }
      void databaseUp().then((postgres) => {
        writeHealth(res, postgres, {
          postgres: postgres ? "up" : "down",
          jobs: this.runner.held(),
        });
      });
    });
  }

  async start(): Promise<void> {
    connectPublisher();
    this.runner.start();
    await new Promise<void>((resolve) =>
      this.server.listen(this.config.WORKER_PORT, "127.0.0.1", resolve),
    );
    log.info({ port: this.config.WORKER_PORT }, "worker running");
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    await new Promise((resolve) => this.server.close(resolve));
    disconnectPublisher();
    await disconnectDatabase();
  }
}
