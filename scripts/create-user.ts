// Adds an operator from the command line (the other way to the first admin, besides /setup):
//   npm run user:create -- --username admin --role admin          (asks for the password)
//   echo "$PASSWORD" | npm run user:create -- --username ops --role viewer --password-stdin
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { ConfigError, parseConfig } from "../lib/config.ts";
import { type OpenedDatabase, openDatabase } from "./launch/database.ts";

const { values: args } = parseArgs({
  options: {
    username: { type: "string" },
    role: { type: "string", default: "admin" },
    "password-stdin": { type: "boolean", default: false },
  },
});

async function readPassword(): Promise<string> {
  if (process.env.BOCLOUD_PASSWORD) return process.env.BOCLOUD_PASSWORD;
  const rl = createInterface({
    input: process.stdin,
    output: args["password-stdin"] ? undefined : process.stdout,
  });
  try {
    if (args["password-stdin"]) {
      for await (const line of rl) return line;
      return "";
    }
    return await rl.question("Password (at least 10 characters): ");
  } finally {
    rl.close();
  }
}

let database: OpenedDatabase | undefined;
try {
  parseConfig(process.env);
  // DATABASE_URL, or this install's database (the embedded one started for the while).
  database = await openDatabase(process.env, { exclusive: false, log: console.log });
  process.env.DATABASE_URL = database.url;
  const { passwordSchema, roleSchema, usernameSchema, createUser } = await import(
    "../lib/auth/users.ts"
  );
  const username = usernameSchema.parse(args.username);
  const role = roleSchema.parse(args.role);
  const password = passwordSchema.parse(await readPassword());
  const user = await createUser(username, password, role);
  console.log(`Created ${user.role} ${user.username}.`);
  await (await import("../lib/db.ts")).disconnectDatabase();
  await database.stop();
  process.exit(0);
} catch (err) {
  const message =
    err instanceof ConfigError
      ? err.message
      : err && typeof err === "object" && "issues" in err
        ? (err as { issues: { message: string }[] }).issues.map((i) => i.message).join("; ")
        : (err as Error).message;
  console.error(`user:create failed: ${message}`);
  await database?.stop();
  process.exit(1);
}
