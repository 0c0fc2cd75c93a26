// A browser-style client (the WHATWG WebSocket of Node) that talks through the recording proxy.
const ws = new WebSocket(process.argv[2]);
ws.binaryType = "arraybuffer";
let step = 0;
ws.onmessage = (event) => {
  step += 1;
  if (step === 1) ws.send(JSON.stringify({ type: "login", id: 1, username: "viewer", password: "viewer123" }));
  else if (step === 2) ws.send(new Uint8Array([0, 1, 2]));
  else if (step === 3) ws.close(1000, "done");
};
ws.onclose = (event) => { console.log(`closed ${event.code}`); process.exit(0); };
setTimeout(() => { console.log("timeout"); process.exit(1); }, 10000);
