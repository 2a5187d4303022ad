// Runs the production proxy configuration (deploy/nginx/templates/default.conf.template) in a
// local nginx, in front of processes on this machine: the template is rendered the way the nginx
// image renders it in docker-compose.yml, with other values for the BOCLOUD_* variables.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "@/test/stack.ts";

export const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
export const TEMPLATE = resolve(import.meta.dirname, "../nginx/templates/default.conf.template");

export function nginxInstalled(): boolean {
  return existsSync(NGINX);
}

/**
 * What the nginx image's entrypoint does with a template (envsubst with a list of names):
 * `$NAME` and `${NAME}` are replaced for the given names only; every other `$` is left to nginx.
 */
function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? "";
    return Object.hasOwn(vars, name) ? vars[name] : match;
  });
}

/** The BOCLOUD_* names the template uses. */
export function templateVariables(text = readFileSync(TEMPLATE, "utf8")): string[] {
  const names = [...text.matchAll(/\$\{?(BOCLOUD_\w+)/g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

export interface ProxyOptions {
  /** host:port of the web app (compose: web:3000). */
  web: string;
  /** host:port of the stream sidecar (compose: stream:3001). */
  stream: string;
  /** proxy_read_timeout of /api/stream (compose: 1h). */
  streamTimeout?: string;
  /** The resolver line (compose: 127.0.0.11 valid=10s ipv6=off). Unused for IP addresses. */
  resolver?: string;
}

export interface RunningNginx {
  url: string;
  config: string;
  output: () => string;
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** nginx in the foreground, with its own prefix, pid and temp files in a temp folder. */
export async function startNginx(opts: ProxyOptions): Promise<RunningNginx> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bocloud-nginx-"));
  // Run as root, nginx's workers switch to `nobody`: they need to reach their temp folders.
  chmodSync(dir, 0o755);
  const site = renderTemplate(readFileSync(TEMPLATE, "utf8"), {
    BOCLOUD_PROXY_LISTEN: `127.0.0.1:${port}`,
    BOCLOUD_PROXY_RESOLVER: opts.resolver ?? "127.0.0.1 valid=10s ipv6=off",
    BOCLOUD_WEB_UPSTREAM: opts.web,
    BOCLOUD_STREAM_UPSTREAM: opts.stream,
    BOCLOUD_STREAM_TIMEOUT: opts.streamTimeout ?? "1h",
  });
  const left = templateVariables(site);
  if (left.length > 0) throw new Error(`Template variables without a value: ${left.join(", ")}`);
  writeFileSync(join(dir, "bocloud.conf"), site);
  // The main file stands in for the image's /etc/nginx/nginx.conf, which includes conf.d/*.conf
  // inside http {}.
  const main = join(dir, "nginx.conf");
  writeFileSync(
    main,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
  access_log off;
  default_type application/octet-stream;
  keepalive_timeout 65;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/bocloud.conf;
}
`,
  );

  const child = spawn(NGINX, ["-p", `${dir}/`, "-c", main, "-e", "stderr"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM"); // fast shutdown: open streams are cut, not waited for
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`nginx exited at start:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/proxy-health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx not ready in 10 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, config: site, output: () => output, stop };
}
