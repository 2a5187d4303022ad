/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ["pino", "ioredis", "pg", "@prisma/adapter-pg"],
};

export default nextConfig;
