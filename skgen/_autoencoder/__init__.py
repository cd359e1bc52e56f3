"""What AutoencoderTransformer delegates: its inputs, its targets, its net."""
