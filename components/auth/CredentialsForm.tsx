"use client";

import { type FormEvent, useState } from "react";

/** Username and password, posted as JSON to `endpoint`; on success the browser goes to `next`. */
export function CredentialsForm(props: {
  endpoint: string;
  submitLabel: string;
  next: string;
  newPassword?: boolean;
}) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(props.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      if (res.ok) {
        window.location.assign(props.next);
        return;
      }
      const body = await res.json().catch(() => null);
      setError(body?.error?.message ?? `HTTP ${res.status}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="credentials" onSubmit={submit}>
      <label>
        Username
        <input
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          required
        />
      </label>
      <label>
        Password
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete={props.newPassword ? "new-password" : "current-password"}
          minLength={props.newPassword ? 10 : undefined}
          required
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}
