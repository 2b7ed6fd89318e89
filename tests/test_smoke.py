def test_check_is_clean_on_shipped_data(cli):
    result = cli("check", "--data", "data")
    assert result.exit_code == 0, result.output
    assert "29 项任务" in result.output
