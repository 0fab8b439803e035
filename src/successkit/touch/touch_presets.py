"""Sansan's touch points (seed 003, "Touch Score 計算式").

The seed's table, with the names the event data uses (channel; synchronous; combine):

- ``video`` (動画視聴): 20 % → 1, 60 % → 2, 100 % → 3 (online; yes; max)
- ``elearning`` (e-learning実施): login → 1, 50 % → 3, 100 % → 5 (online; no; max)
- ``web_access`` (Webアクセス): 1 (online; yes; sum)
- ``email_click`` (メールのリンクをクリック): 1 (online; yes; sum)
- ``midterm_review`` (中間レビュー): 10 (offline; no; sum)
- ``final_review`` (最終レビュー): 10 (offline; no; sum)
- ``seminar_signup`` (オフラインセミナー申し込み): 1 (offline; yes; max)
- ``seminar_attendance`` (オフラインセミナー参加): 3 (offline; yes; max)
- ``event_attendance`` (イベント参加): 10 (offline; yes; max)

The seed puts the points of e-learning and of the two reviews in parentheses, "※( )は非同期"
(parentheses: asynchronous); they are marked ``synchronous=False``. Its "Touch Source"
slide names seminars and events offline and web access, video and the LMS online; the
reviews stand in the seed's second table with the offline seminar and events, so they are
offline here. ``combine`` is our reading of how repeats count: the best progress per user
and video or course counts once, a sign-up or attendance per user and seminar or event once,
while each web access, e-mail click and review counts.
"""

from __future__ import annotations

from successkit.touch.touch_point import TouchPoint

__all__ = ["sansan_touchpoints"]


def sansan_touchpoints() -> tuple[TouchPoint, ...]:
    """The nine touch points of Sansan's touch score.

    Examples
    --------
    >>> [tp.name for tp in sansan_touchpoints()][:3]
    ['video', 'elearning', 'web_access']
    """
    online, offline = "online", "offline"
    return (
        TouchPoint("video", tiers={0.2: 1, 0.6: 2, 1.0: 3}, channel=online, label="動画視聴"),
        TouchPoint(
            "elearning",
            tiers={0.0: 1, 0.5: 3, 1.0: 5},
            channel=online,
            synchronous=False,
            label="e-learning実施",
        ),
        TouchPoint("web_access", points=1, channel=online, combine="sum", label="Webアクセス"),
        TouchPoint(
            "email_click", points=1, channel=online, combine="sum",
            label="メールのリンクをクリック",
        ),
        TouchPoint(
            "midterm_review", points=10, channel=offline, synchronous=False, combine="sum",
            label="中間レビュー",
        ),
        TouchPoint(
            "final_review", points=10, channel=offline, synchronous=False, combine="sum",
            label="最終レビュー",
        ),
        TouchPoint("seminar_signup", points=1, channel=offline, label="オフラインセミナー申し込み"),
        TouchPoint("seminar_attendance", points=3, channel=offline,
                   label="オフラインセミナー参加"),
        TouchPoint("event_attendance", points=10, channel=offline, label="イベント参加"),
    )
