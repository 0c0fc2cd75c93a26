"""A candidate with one planted difference no recording touches: `collection_stop` of an unknown id."""

from __future__ import annotations

from legacy.websocket_server import WebSocketAPIServer as LegacyServer


class PlantedServer(LegacyServer):
    """The legacy server, except that stopping an unknown collection names the id in the error."""

    async def _handle_collection_stop(self, client_id, message):
        reply = await super()._handle_collection_stop(client_id, message)
        if reply.get("error_message") == "Collection not found":
            reply["error_message"] = f"Collection not found: {message.get('collection_id')}"
        return reply



class PlantedVersionServer(LegacyServer):
    """The legacy server, except that the `version` reply carries one more field (found fast)."""

    async def _handle_version(self, client_id, message):
        reply = await super()._handle_version(client_id, message)
        reply["build"] = "planted"
        return reply
