/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ["pino", "ioredis", "pg", "@prisma/adapter-pg"],
  // The Docker image runs Next's standalone server (.next/standalone/server.js, with only the
  // files it needs). Only its build sets BOCLOUD_STANDALONE=1: `next start` does not serve a
  // standalone build properly.
  ...(process.env.BOCLOUD_STANDALONE === "1" ? { output: "standalone" } : {}),
};

export default nextConfig;
