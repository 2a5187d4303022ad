import type { TestProject } from "vitest/node";
import { signIn } from "./operators.ts";
import { dropTestDatabase, freshTestDatabase, startStack } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
    streamUrl: string;
    /** The shared MQTT listener (INGEST_AUTH=open, like the web app): mqtt://127.0.0.1:<port>. */
    mqttUrl: string;
    /** The stream sidecar's process id, to count its open file descriptors. */
    streamPid: number;
    adminCookie: string;
    viewerCookie: string;
  }
}

let stack: Awaited<ReturnType<typeof startStack>> | undefined;

export async function setup(project: TestProject) {
  await freshTestDatabase();
  stack = await startStack();
  const { admin, viewer } = await signIn(stack.web.url);
  project.provide("webUrl", stack.web.url);
  project.provide("streamUrl", stack.stream.url);
  project.provide("mqttUrl", stack.mqtt.mqttUrl);
  project.provide("streamPid", stack.stream.child.pid ?? 0);
  project.provide("adminCookie", admin);
  project.provide("viewerCookie", viewer);
}

export async function teardown() {
  await stack?.stop();
  await dropTestDatabase();
}
