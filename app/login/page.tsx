import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/auth/CredentialsForm.tsx";
import { safeNext } from "@/lib/auth/page-session.ts";
import { hasUsers } from "@/lib/auth/users.ts";

export const metadata: Metadata = { title: "Sign in · BoCloud" };
export const dynamic = "force-dynamic";

export default async function LoginPage(props: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  if (!(await hasUsers())) redirect("/setup");
  const next = safeNext((await props.searchParams).next);
  return (
    <main className="home auth">
      <h1>BoCloud</h1>
      <p>Sign in to watch and manage your devices.</p>
      <CredentialsForm endpoint="/api/auth/login" submitLabel="Sign in" next={next} />
    </main>
  );
}
