import pytest


def test_retention_months_setting_reads_the_environment():
    from protocol_monitor.config import ConfigError, Settings

    assert Settings.from_env({"PROTOCOL_MONITOR_ENV": "test"}).retention_months == 24
    settings = Settings.from_env({"PROTOCOL_MONITOR_ENV": "test", "RETENTION_MONTHS": "36"})
    assert settings.retention_months == 36
    with pytest.raises(ConfigError, match="RETENTION_MONTHS"):
        Settings.from_env({"PROTOCOL_MONITOR_ENV": "test", "RETENTION_MONTHS": "0"})


def test_relay_interval_setting_reads_the_environment():
    from protocol_monitor.config import ConfigError, Settings

    assert Settings.from_env({"PROTOCOL_MONITOR_ENV": "test"}).scheduler_delivery_seconds == 60
    env = {"PROTOCOL_MONITOR_ENV": "test", "SCHEDULER_DELIVERY_SECONDS": "15"}
    assert Settings.from_env(env).scheduler_delivery_seconds == 15
    with pytest.raises(ConfigError, match="SCHEDULER_DELIVERY_SECONDS"):
        Settings.from_env({**env, "SCHEDULER_DELIVERY_SECONDS": "0"})
