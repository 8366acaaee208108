"""The Telegram front end (`citebot telegram`): python-telegram-bot over the Answerer.

app.py builds and runs the Application, handlers.py holds the update handlers,
render.py the HTML formatting and message splitting, keyboards.py the inline buttons.
"""
