"""The playbook examples of ../shared/DSL.md, verbatim: every one must parse and evaluate."""

DSL_EXAMPLES = """\
# HiCustomer-style indicators: (1) when, (2) what to do
rule keyperson_drop "Key person's usage dropped":
  when change(keyperson_usage, 30d) <= -20%
  then propose_meeting
  as risk priority high owner csm due 7d

when feature_x_usage >= 80% then propose_option as opportunity
when nps_responded = false then resend_nps_survey cooldown 14d
when roi_achievement >= 100% then ask_case_study, invite_seminar_talk as opportunity
when stage = "onboarding" and first_login_rate <= 30% then contact_admin as risk
when license_activation_rate >= 90% and tier in ("high", "low")
  then upsell(with = "sales") as opportunity

# reacting to a change of the score itself
when health.band becomes "red" then escalate as risk priority high
when health.score < 40 and days_until(renewal_date) <= 90 then renewal_rescue as risk
when touch.quadrant = "D" and stage.days > 60 then schedule_training
when `D-3 Login Rate` between 25% and 50% then send_tips   # quoted names
when ログイン率 < 30% then 管理者に状況確認 as risk           # Unicode names
"""
