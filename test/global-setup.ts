import type { TestProject } from "vitest/node";
import { freshTestDatabase, type RunningProcess, startWeb } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
  }
}

let web: RunningProcess | undefined;

export async function setup(project: TestProject) {
  await freshTestDatabase();
  web = await startWeb();
  project.provide("webUrl", web.url);
}

export async function teardown() {
  await web?.stop();
}
