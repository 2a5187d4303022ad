"use client";

/** The signed-in operator's name and a sign-out button that ends the session on the server. */
export function SignOut({ username, role }: { username: string; role: string }) {
  const signOut = async () => {
    await fetch("/api/auth/logout", { method: "POST" });
    window.location.assign("/login");
  };
  return (
    <span className="signed-in">
      <span className="muted">
        {username} ({role})
      </span>
      <button type="button" onClick={signOut}>
        Sign out
      </button>
    </span>
  );
}
