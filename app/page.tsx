export default function HomePage() {
  return (
    <main className="home">
      <h1>BoCloud</h1>
      <p>
        A lightweight, self-hosted IoT cloud. Devices and fog gateways post sensor readings over
        HTTP; BoCloud stores every one in PostgreSQL and streams them live to the operators who
        watch them.
      </p>
      <h2>Send a reading</h2>
      <pre>{`curl -X POST http://localhost:3000/api/data \\
  -H 'Content-Type: application/json' \\
  -d '{"device_id": "greenhouse-1", "sensors": {"temperature": 21.5, "door": "open"}}'`}</pre>
      <h2>Read it back</h2>
      <pre>{`curl 'http://localhost:3000/api/fetch/device?id=greenhouse-1'`}</pre>
      <p>
        <a href="/monitor">Open the monitor</a> to watch readings live.
      </p>
    </main>
  );
}
