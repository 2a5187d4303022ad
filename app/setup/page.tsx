import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/auth/CredentialsForm.tsx";
import { hasUsers } from "@/lib/auth/users.ts";

export const metadata: Metadata = { title: "Set up · BoCloud" };
export const dynamic = "force-dynamic";

/** First run only: exists while there is no user, then sends everyone to sign in. */
export default async function SetupPage() {
  if (await hasUsers()) redirect("/login");
  return (
    <main className="home auth">
      <h1>Welcome to BoCloud</h1>
      <p>Create the first administrator. This page exists only until there is one.</p>
      <CredentialsForm
        endpoint="/api/auth/setup"
        submitLabel="Create administrator"
        next="/monitor"
        newPassword
      />
    </main>
  );
}
