SIZE ?= small

# The two commands of the README: `make run` and `make test`. See tools/kam.sh.
.PHONY: run test lint dist bench load shell pot readme clean

run:  ## serve the app with demo data on http://127.0.0.1:8069
	@bash tools/kam.sh run

test:  ## fresh database, install the module, run the whole pytest-odoo suite
	@bash tools/kam.sh test $(PYTEST_ARGS)

lint:  ## ruff and pylint-odoo (pinned), zero findings; README.rst up to date
	@bash tools/kam.sh lint

dist:  ## build the wheel odoo-addon-kam_key_account (whool) into dist/
	@bash tools/kam.sh dist

readme:  ## write kam_key_account/README.rst from its readme/ fragments
	@bash tools/kam.sh readme

bench:  ## side by side with crm, mail and OCA tier validation on a populated database (SIZE=small|full)
	@SIZE=$(SIZE) bash tools/kam.sh bench $(PYTEST_ARGS)

load:  ## Odoo with 4 workers, JSON-RPC clients racing for LOAD_SECONDS (30), then the checks
	@SIZE=$(SIZE) bash tools/kam.sh load $(LOAD_ARGS)

shell:  ## an Odoo shell on the `make run` database
	@bash tools/kam.sh shell

pot:  ## export kam_key_account.pot and merge it into zh_CN.po
	@bash tools/kam.sh pot

clean:  ## stop nothing, delete the private cluster, venv and data
	rm -rf .local .venv
