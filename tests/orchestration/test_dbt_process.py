from orchestration.dbt_process import split_options


def test_launcher_options_lead_and_the_rest_is_dbts() -> None:
    argv = ["--workdir", "/w", "--results", "/w/dbt/r.json", "build", "--select", "x"]
    assert split_options(argv) == (
        {"workdir": "/w", "results": "/w/dbt/r.json"},
        ["build", "--select", "x"],
    )


def test_without_options_every_argument_is_dbts() -> None:
    assert split_options(["parse", "--workdir", "x"]) == ({}, ["parse", "--workdir", "x"])
