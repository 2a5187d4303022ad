import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { signIn } from "../test/operators.ts";
import { dropTestDatabase, freshTestDatabase, startStack } from "../test/stack.ts";

export const ADMIN_STATE = "e2e/.auth/admin.json";

// Starts the real stack once for all e2e tests, signs the admin in for them, and returns
// the function that stops it all.
export default async function globalSetup() {
  await freshTestDatabase();
  const stack = await startStack();
  const { admin } = await signIn(stack.web.url);
  const [name, value] = admin.split("=");
  mkdirSync(dirname(ADMIN_STATE), { recursive: true });
  writeFileSync(
    ADMIN_STATE,
    JSON.stringify({
      cookies: [
        {
          name,
          value,
          domain: "127.0.0.1",
          path: "/",
          expires: -1,
          httpOnly: true,
          secure: false,
          sameSite: "Lax",
        },
      ],
      origins: [],
    }),
  );
  // Workers re-read the config, so the address travels in the environment.
  process.env.E2E_BASE_URL = stack.web.url;
  process.env.E2E_MQTT_PORT = String(stack.mqtt.mqttPort);
  return async () => {
    await stack.stop();
    await dropTestDatabase();
  };
}
