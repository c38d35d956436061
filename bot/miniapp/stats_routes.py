"""The statistics' route: `/stats`' figures (`handlers.stats_figures`) as JSON, for the page to
draw as interactive charts. Counts only: nothing here can name anyone."""

from __future__ import annotations

from aiohttp import web

from bot.miniapp.http import Call
from faq.live import LiveCatalog
from faq.usage import OUTCOMES
from handlers.stats_figures import gather
from scheduler.regions import Regions


class StatsRoutes:
    def __init__(self, live: LiveCatalog, regions: Regions) -> None:
        self._live = live
        self._regions = regions

    async def figures(self, call: Call) -> web.Response:
        figures = await gather(call.session, self._regions)
        entries = self._live.current.entries

        def question(entry_id: str) -> str:
            entry = entries.get(entry_id)
            return entry_id if entry is None else entry.block(call.lang).question

        return web.json_response(
            {
                "days": [day.isoformat() for day in figures.days],
                "questions": {
                    outcome.value: list(figures.questions[outcome]) for outcome in OUTCOMES
                },
                "most_asked": [
                    {"id": entry_id, "question": question(entry_id), "count": count}
                    for entry_id, count in figures.most_asked
                ],
                "votes": [
                    {"id": v.entry_id, "question": question(v.entry_id), "up": v.up, "down": v.down}
                    for v in figures.votes
                ],
                "subscribers": [
                    {"code": s.region.code, "name": s.region.name(call.lang), "count": s.count}
                    for s in figures.subscribers
                ],
                "totals": {
                    "asked": figures.asked,
                    "thumbs_up": figures.thumbs_up,
                    "thumbs_down": figures.thumbs_down,
                    "none_fits": figures.none_fits,
                    "subscriptions": figures.subscriptions,
                    "messages": figures.messages,
                    "to_review": figures.to_review,
                    "chose_language": figures.chose_language,
                    "blocked": figures.blocked,
                },
            }
        )
