import type { TestProject } from "vitest/node";
import { dropTestDatabase, freshTestDatabase, startStack } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
    streamUrl: string;
  }
}

let stack: Awaited<ReturnType<typeof startStack>> | undefined;

export async function setup(project: TestProject) {
  await freshTestDatabase();
  stack = await startStack();
  project.provide("webUrl", stack.web.url);
  project.provide("streamUrl", stack.stream.url);
}

export async function teardown() {
  await stack?.stop();
  await dropTestDatabase();
}
