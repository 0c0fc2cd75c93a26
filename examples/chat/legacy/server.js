// The legacy chat-rooms server: Node and `ws`, one file, one JSON protocol with an `op` field.
//   node server.js --port 8080
// Settings (optional) come as JSON in the WSGM_SETTINGS environment variable:
//   {"max_text": 200, "history": 50}
'use strict';

const crypto = require('crypto');
const { WebSocketServer } = require('ws');

const NAME = /^[a-z0-9_-]{1,24}$/;
const settings = Object.assign({ max_text: 200, history: 50 }, JSON.parse(process.env.WSGM_SETTINGS || '{}'));

function argument(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const rooms = new Map(); // name -> { members: Map(socket -> nick), seq, history: [] }
const nicks = new Map(); // socket -> nick
const joined = new Map(); // socket -> Set(room names)

function send(socket, frame) {
  socket.send(JSON.stringify(frame));
}

function reply(socket, msg, frame) {
  if (typeof msg.ref === 'string' ? msg.ref.length <= 64 : Number.isSafeInteger(msg.ref)) {
    frame.ref = msg.ref;
  }
  send(socket, frame);
}

function fail(socket, msg, code, message) {
  reply(socket, msg, { op: 'error', code: code, message: message });
}

function broadcast(room, except, frame) {
  for (const member of room.members.keys()) {
    if (member !== except) send(member, frame);
  }
}

function leaveRoom(socket, name) {
  const room = rooms.get(name);
  const nick = room.members.get(socket);
  room.members.delete(socket);
  joined.get(socket).delete(name);
  broadcast(room, socket, { op: 'presence', room: name, nick: nick, event: 'leave', count: room.members.size });
}

function handle(socket, msg) {
  if (msg.op === 'nick') {
    if (typeof msg.nick !== 'string') return fail(socket, msg, 'missing_field', 'nick is required');
    if (!NAME.test(msg.nick)) return fail(socket, msg, 'bad_name', 'nick must be 1-24 of a-z, 0-9, _ and -');
    for (const [other, nick] of nicks) {
      if (nick === msg.nick && other !== socket) return fail(socket, msg, 'nick_taken', 'nick ' + msg.nick + ' is taken');
    }
    if (joined.get(socket).size > 0) return fail(socket, msg, 'in_rooms', 'leave every room before changing nick');
    nicks.set(socket, msg.nick);
    return reply(socket, msg, { op: 'nick', nick: msg.nick });
  } else if (msg.op === 'join') {
    if (typeof msg.room !== 'string') return fail(socket, msg, 'missing_field', 'room is required');
    if (!NAME.test(msg.room)) return fail(socket, msg, 'bad_name', 'room must be 1-24 of a-z, 0-9, _ and -');
    if (!nicks.has(socket)) return fail(socket, msg, 'no_nick', 'choose a nick first');
    if (!rooms.has(msg.room)) rooms.set(msg.room, { members: new Map(), seq: 0, history: [] });
    const room = rooms.get(msg.room);
    if (room.members.has(socket)) return fail(socket, msg, 'already_in_room', 'already in ' + msg.room);
    room.members.set(socket, nicks.get(socket));
    joined.get(socket).add(msg.room);
    reply(socket, msg, { op: 'joined', room: msg.room, members: Array.from(room.members.values()), seq: room.seq });
    broadcast(room, socket, { op: 'presence', room: msg.room, nick: nicks.get(socket), event: 'join', count: room.members.size });
  } else if (msg.op === 'leave') {
    if (typeof msg.room !== 'string') return fail(socket, msg, 'missing_field', 'room is required');
    if (!joined.get(socket).has(msg.room)) return fail(socket, msg, 'not_in_room', 'not in ' + msg.room);
    leaveRoom(socket, msg.room);
    reply(socket, msg, { op: 'left', room: msg.room });
  } else if (msg.op === 'post') {
    if (typeof msg.room !== 'string') return fail(socket, msg, 'missing_field', 'room is required');
    if (typeof msg.text !== 'string') return fail(socket, msg, 'missing_field', 'text is required');
    if (!joined.get(socket).has(msg.room)) return fail(socket, msg, 'not_in_room', 'not in ' + msg.room);
    if (msg.text.length === 0) return fail(socket, msg, 'empty_text', 'text is empty');
    if (msg.text.length > settings.max_text) {
      return fail(socket, msg, 'text_too_long', 'text is ' + msg.text.length + ' long, the limit is ' + settings.max_text);
    }
    const room = rooms.get(msg.room);
    room.seq += 1;
    const entry = { seq: room.seq, from: nicks.get(socket), text: msg.text, at: new Date().toISOString() };
    room.history.push(entry);
    if (room.history.length > settings.history) room.history.shift();
    reply(socket, msg, { op: 'posted', room: msg.room, seq: room.seq, length: msg.text.length });
    broadcast(room, socket, Object.assign({ op: 'message', room: msg.room }, entry));
  } else if (msg.op === 'members' || msg.op === 'history') {
    if (typeof msg.room !== 'string') return fail(socket, msg, 'missing_field', 'room is required');
    const room = rooms.get(msg.room);
    if (!room) return fail(socket, msg, 'no_such_room', 'no room ' + msg.room);
    if (msg.op === 'members') {
      return reply(socket, msg, { op: 'members', room: msg.room, members: Array.from(room.members.values()) });
    }
    let limit = 10;
    if (msg.limit !== undefined) {
      if (!Number.isSafeInteger(msg.limit) || msg.limit < 1 || msg.limit > 100) {
        return fail(socket, msg, 'bad_field', 'limit must be an integer from 1 to 100');
      }
      limit = msg.limit;
    }
    reply(socket, msg, { op: 'history', room: msg.room, messages: room.history.slice(-limit) });
  } else if (msg.op === 'rooms') {
    const list = Array.from(rooms.keys()).sort().map(function (name) {
      const room = rooms.get(name);
      const total = room.history.reduce(function (sum, m) { return sum + m.text.length; }, 0);
      const average = room.history.length ? Math.round((total / room.history.length) * 100) / 100 : 0;
      return { name: name, members: room.members.size, messages: room.seq, average_length: average };
    });
    reply(socket, msg, { op: 'rooms', rooms: list });
  } else if (typeof msg.op === 'string') {
    fail(socket, msg, 'unknown_op', 'unknown op ' + msg.op);
  } else {
    fail(socket, msg, 'missing_field', 'op is required');
  }
}

const port = Number(argument('--port', '8080'));
const server = new WebSocketServer({ host: '127.0.0.1', port: port });

server.on('connection', function (socket) {
  joined.set(socket, new Set());
  send(socket, { op: 'hello', server: 'chat/1', session: crypto.randomBytes(8).toString('hex') });
  socket.on('message', function (data, isBinary) {
    if (isBinary) return fail(socket, {}, 'binary', 'binary frames are not supported');
    let msg;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch (err) {
      return fail(socket, {}, 'bad_json', 'not JSON');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      return fail(socket, {}, 'bad_json', 'not a JSON object');
    }
    handle(socket, msg);
  });
  socket.on('close', function () {
    for (const name of Array.from(joined.get(socket))) leaveRoom(socket, name);
    joined.delete(socket);
    nicks.delete(socket);
  });
});

server.on('listening', function () {
  console.log('chat legacy listening on 127.0.0.1:' + server.address().port);
});

function stop() {
  server.close();
  for (const client of server.clients) client.terminate();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
