"""The playbook language: ``when <indicator> then <action>`` rules compiled to numpy."""
