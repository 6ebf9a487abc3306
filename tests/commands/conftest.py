from tests.sources.test_volumes import fake_host  # noqa: F401  (the fake sysfs + mountinfo host)
