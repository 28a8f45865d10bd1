"""The router's labeled training set (`train.jsonl`) and the script that writes it (`build.py`)."""
