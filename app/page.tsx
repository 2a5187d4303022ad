export default function HomePage() {
  return (
    <main className="home">
      <h1>BoCloud</h1>
      <p>
        A lightweight, self-hosted IoT cloud. Devices and fog gateways post sensor readings over
        HTTP; BoCloud stores every one in PostgreSQL and streams them live to the operators who
        watch them.
      </p>
      <p>
        First run? <a href="/setup">Create the administrator</a>. Otherwise{" "}
        <a href="/login">sign in</a>, register devices on <a href="/devices">Devices</a> and watch
        them on the <a href="/monitor">monitor</a>.
      </p>
      <h2>Send a reading</h2>
      <pre>{`curl -X POST http://localhost:3000/api/data \\
  -H 'Authorization: Bearer <device token>' \\
  -H 'Content-Type: application/json' \\
  -d '{"device_id": "greenhouse-1", "sensors": {"temperature": 21.5, "door": "open"}}'`}</pre>
    </main>
  );
}
