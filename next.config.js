/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ["pino", "ioredis", "pg", "@prisma/adapter-pg"],
  // Pages also get a nonce-based Content-Security-Policy from proxy.ts.
  async headers() {
    const everywhere = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
    ];
    return [
      { source: "/:path*", headers: everywhere },
      {
        source: "/api/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
        ],
      },
    ];
  },
  // The Docker image runs Next's standalone server (.next/standalone/server.js, with only the
  // files it needs). Only its build sets BOCLOUD_STANDALONE=1: `next start` does not serve a
  // standalone build properly.
  ...(process.env.BOCLOUD_STANDALONE === "1" ? { output: "standalone" } : {}),
};

export default nextConfig;
